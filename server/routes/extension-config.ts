/**
 * GET /v1/extension-config: the rules, switched-off adapters and selector packs an admin
 * published for the caller's workspace, its version and this server's capabilities (any token;
 * the extension fetches it when the sync answer's `configVersion` differs from the one it holds).
 * PUT: an admin publishes the next version. GET …/versions: the published versions (admin).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CheckedPublishedConfig } from '../../shared/css-selector.ts';
import { CAPABILITIES, ExtensionConfigResponse, PACK_LIMITS, type SelectorPack } from '../../shared/extension-config.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { getConfigVersion, getExtensionConfig, listConfigVersions, putExtensionConfig, type StoredExtensionConfig } from '../store/extension-config.ts';
import type { TokenInfo } from '../store/tokens.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const answer = (stored: StoredExtensionConfig, auth: TokenInfo) => ({
  ...stored,
  // A partial record's values are typed `| undefined`, which is no JSON value; none is stored.
  config: { ...stored.config, selectorPacks: stored.config.selectorPacks as Record<string, SelectorPack> },
  capabilities: [...CAPABILITIES],
  caller: { workspaceId: auth.workspaceId, role: auth.role, name: auth.name },
});

/** What the audit log keeps of a published config: its version and what it holds, not the selectors. */
export function configSummary(stored: StoredExtensionConfig): Record<string, unknown> {
  return {
    version: stored.version,
    rules: stored.config.rules.length,
    disabledAdapters: stored.config.disabledAdapters,
    packSites: Object.keys(stored.config.selectorPacks).sort(),
  };
}

const read = createRoute({
  method: 'get',
  path: '/v1/extension-config',
  summary: "The extension config published for the caller's workspace",
  description:
    'Custom rules, switched-off site adapters and selector packs, with the config `version` (the sync answer carries it as ' +
    '`configVersion`) and the server `capabilities`. Any token may read it.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  responses: {
    200: { description: 'The config (empty, version 0, if none was published)', content: json(ExtensionConfigResponse) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
  },
});

const write = createRoute({
  method: 'put',
  path: '/v1/extension-config',
  summary: "Publish the extension config for the admin's workspace (replaces it, as the next version)",
  description:
    `Selector packs are keyed by built-in site id; each selector is checked by a CSS parser. A pack holds at most ` +
    `${PACK_LIMITS.selectorsPerKey} selectors per key and serializes to at most ${PACK_LIMITS.packMaxBytes} bytes. ` +
    'An unknown field (at the top or in a pack) or site id is 422 `unknown_field` with `details: {unknown, accepted, path?}`.',
  security: [{ bearer: [] }],
  middleware: [requireRole('admin'), rejectUnknownQuery([])] as const,
  request: { body: { required: true, content: json(CheckedPublishedConfig) } },
  responses: {
    200: { description: 'Published', content: json(ExtensionConfigResponse) },
    400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Not an admin token', content: json(ErrorBody) },
    422: { description: 'Schema violation, invalid selector, or unknown field', content: json(ErrorBody) },
  },
});

const VersionsQuery = z.object({
  // An empty value (`limit=`) counts as absent.
  limit: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(500).optional()).openapi({
    description: 'Newest versions to list (default 100).',
  }),
});

const ConfigVersions = z
  .object({
    /** The live version (0: never published). */
    current: z.number().int(),
    versions: z.array(
      z.object({
        version: z.number().int(),
        publishedAt: z.string(),
        publishedBy: z.object({ tokenId: z.string(), name: z.string().nullable() }).nullable(),
        packSites: z.array(z.string()).openapi({ description: 'Built-in sites this version has a selector pack for.' }),
        rules: z.number().int(),
        disabledAdapters: z.array(z.string()),
      }),
    ),
  })
  .openapi('ExtensionConfigVersions');

const versions = createRoute({
  method: 'get',
  path: '/v1/extension-config/versions',
  summary: 'The published versions of the extension config, newest first (admin)',
  security: [{ bearer: [] }],
  middleware: [requireRole('admin'), rejectUnknownQuery(Object.keys(VersionsQuery.shape))] as const,
  request: { query: VersionsQuery },
  responses: {
    200: { description: 'Versions', content: json(ConfigVersions) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Not an admin token', content: json(ErrorBody) },
    422: { description: 'Bad limit', content: json(ErrorBody) },
  },
});

export const extensionConfigRoutes = createRouter()
  .openapi(read, async (c) => {
    const auth = c.get('auth');
    return c.json(answer(await getExtensionConfig(c.get('store').db, auth.workspaceId), auth), 200);
  })
  .openapi(
    write,
    async (c) => {
      const auth = c.get('auth');
      const published = await putExtensionConfig(c.get('store').db, auth.workspaceId, c.req.valid('json'), auth.id);
      await audit(c, 'extension_config.published', { type: 'extension_config', id: auth.workspaceId }, configSummary(published));
      return c.json(answer(published, auth), 200);
    },
    rejectUnknownKeys(CheckedPublishedConfig),
  )
  .openapi(versions, async (c) => {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const list = await listConfigVersions(db, auth.workspaceId, c.req.valid('query').limit ?? 100);
    const current = await getConfigVersion(db, auth.workspaceId);
    return c.json({ current, versions: list }, 200);
  });
