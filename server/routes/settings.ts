import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { getSettings, updateSettings } from '../store/settings.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Not an admin token', content: json(ErrorBody) },
  422: { description: 'Schema violation', content: json(ErrorBody) },
} as const;

const Settings = z
  .object({
    retentionDays: z.number().int().nullable().openapi({ description: 'Days to keep feedback (applied daily); null keeps it forever.' }),
    redactProgramText: z.boolean().openapi({ description: 'Redact PII and secrets in text that programs send (items, traces, feedback). On by default.' }),
    knownConversationsOnly: z.boolean().openapi({
      description: '/api/v1/feedback/{conversation_id}: a conversation no item (context.conversation_id) or feedback of the workspace names is 404. Off by default.',
    }),
    lastPurgedAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('WorkspaceSettings');

const SettingsPatch = z
  .object({
    retentionDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1 day').max(36_500).nullable().optional(),
    redactProgramText: z.boolean().optional(),
    knownConversationsOnly: z.boolean().optional(),
  })
  .strict()
  .openapi('WorkspaceSettingsPatch');

const admin = requireRole('admin');
/** Neither route takes a query: any parameter is unknown (400 unknown_parameter). */
const noQuery = rejectUnknownQuery([]);

const read = createRoute({
  method: 'get',
  path: '/v1/settings',
  summary: 'The workspace’s governance settings: retention and redaction (admin)',
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  responses: { 200: { description: 'Settings', content: json(Settings) }, ...errors },
});

const change = createRoute({
  method: 'patch',
  path: '/v1/settings',
  summary: 'Change retention (days, or null for forever), redaction of program text and knownConversationsOnly (admin)',
  description: 'Retention is applied by the server once a day: feedback created before now − retentionDays is deleted for good.',
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  request: { body: { required: true, content: json(SettingsPatch) } },
  responses: { 200: { description: 'The settings now', content: json(Settings) }, ...errors },
});

export const settingsRoutes = createRouter()
  .openapi(read, async (c) => c.json(await getSettings(c.get('store').db, c.get('auth').workspaceId), 200))
  .openapi(change, async (c) => {
    const auth = c.get('auth');
    const patch = c.req.valid('json');
    const settings = await updateSettings(c.get('store').db, auth.workspaceId, patch, auth.id);
    await audit(c, 'settings.changed', { type: 'settings', id: auth.workspaceId }, patch);
    return c.json(settings, 200);
  }, rejectUnknownKeys(SettingsPatch));
