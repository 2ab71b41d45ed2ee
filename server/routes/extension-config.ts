/**
 * GET /v1/extension-config: the rules and switched-off adapters an admin published for the
 * caller's workspace (any token; the extension fetches it at sync). PUT: an admin publishes them.
 */
import { createRoute } from '@hono/zod-openapi';
import { ExtensionConfigResponse, PublishedConfig } from '../../shared/extension-config.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { createRouter } from '../lib/router.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { getExtensionConfig, putExtensionConfig } from '../store/extension-config.ts';
import type { TokenInfo } from '../store/tokens.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const caller = (auth: TokenInfo) => ({ workspaceId: auth.workspaceId, role: auth.role, name: auth.name });

const read = createRoute({
  method: 'get',
  path: '/v1/extension-config',
  summary: "The extension config published for the caller's workspace",
  description: 'Custom rules and switched-off site adapters; any token may read it. The extension fetches it when it syncs.',
  security: [{ bearer: [] }],
  responses: {
    200: { description: 'The config (empty if none was published)', content: json(ExtensionConfigResponse) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
  },
});

const write = createRoute({
  method: 'put',
  path: '/v1/extension-config',
  summary: "Publish the extension config for the admin's workspace (replaces it)",
  security: [{ bearer: [] }],
  middleware: [requireRole('admin')] as const,
  request: { body: { required: true, content: json(PublishedConfig) } },
  responses: {
    200: { description: 'Published', content: json(ExtensionConfigResponse) },
    400: { description: 'Malformed JSON', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Not an admin token', content: json(ErrorBody) },
    422: { description: 'Schema violation', content: json(ErrorBody) },
  },
});

export const extensionConfigRoutes = createRouter()
  .openapi(read, async (c) => {
    const auth = c.get('auth');
    const stored = await getExtensionConfig(c.get('store').db, auth.workspaceId);
    return c.json({ ...stored, caller: caller(auth) }, 200);
  })
  .openapi(write, async (c) => {
    const auth = c.get('auth');
    const stored = await putExtensionConfig(c.get('store').db, auth.workspaceId, c.req.valid('json'), auth.id);
    return c.json({ ...stored, caller: caller(auth) }, 200);
  });
