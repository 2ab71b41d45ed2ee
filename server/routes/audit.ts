/**
 * GET /v1/audit (admin): the workspace's audit log, newest first — who (token or CLI user), what
 * (action, target, a few details), when, from where (client address, API / dashboard / CLI).
 * There is no route that changes it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { AUDIT_ACTIONS, listAudit } from '../audit/log.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const blank = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const AuditQuery = z.object({
  limit: blank(z.coerce.number().int().min(1).max(500)).openapi({ description: 'Entries per page (default 100).' }),
  cursor: blank(z.string().max(100)).openapi({ description: 'The previous page’s nextCursor.' }),
  action: blank(z.enum(AUDIT_ACTIONS)).openapi({ description: 'Only this action.' }),
});

const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({
      type: z.enum(['token', 'cli']),
      id: z.string().openapi({ description: 'The token id, or the OS user who ran the CLI' }),
      name: z.string().nullable(),
      role: z.string().nullable(),
    }),
    via: z.enum(['api', 'dashboard', 'cli']),
    address: z.string().nullable().openapi({ description: 'The client address (TRUST_PROXY-aware), or the host the CLI ran on' }),
    action: z.string().openapi({ description: AUDIT_ACTIONS.join(', ') }),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry');

const list = createRoute({
  method: 'get',
  path: '/v1/audit',
  summary: 'The audit log: admin and analyst actions and the CLI’s, newest first (admin)',
  description:
    'Tokens created and revoked, settings, webhooks, extension config (selector packs), exports, imports, purges and erasures ' +
    '(an erased rater named by id only). Append-only; kept AUDIT_RETENTION_DAYS (365 by default).',
  security: [{ bearer: [] }],
  middleware: [requireRole('admin'), rejectUnknownQuery(Object.keys(AuditQuery.shape))] as const,
  request: { query: AuditQuery },
  responses: {
    200: { description: 'Entries', content: json(z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() })) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Not an admin token', content: json(ErrorBody) },
    422: { description: 'Bad limit or action', content: json(ErrorBody) },
  },
});

export const auditRoutes = createRouter().openapi(list, async (c) => {
  const { limit, cursor, action } = c.req.valid('query');
  const page = await listAudit(c.get('store').db, c.get('auth').workspaceId, { limit: limit ?? 100, before: cursor, action });
  return c.json(page, 200);
});
