import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ErrorBody } from '../../shared/schemas.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import { audit } from '../audit/http.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { hasRole, requireRole } from '../middleware/require-role/index.ts';
import { eraseRater, raterExists } from '../store/erase.ts';
import { raterExportJson } from '../store/rater-export.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Not allowed for this token', content: json(ErrorBody) },
  404: { description: 'No such rater in this workspace', content: json(ErrorBody) },
} as const;

// 205: `user:` and the 200 characters of an app's user id (store/anonymous-raters.ts, issue 17).
const RaterParam = z.object({ raterId: z.string().min(1).max(205) });
/** Neither route takes a query: any parameter is unknown (400 unknown_parameter). */
const noQuery = rejectUnknownQuery([]);

const Erasure = z
  .object({
    raterId: z.string(),
    erased: z.object({
      feedback: z.number(),
      events: z.number(),
      eventsPseudonymized: z.number(),
      deliveries: z.number(),
      tokens: z.number(),
      items: z.number(),
      traceEvents: z.number(),
      notes: z.number(),
      rollupRows: z.number(),
    }),
  })
  .openapi('RaterErasure');

const erase = createRoute({
  method: 'delete',
  path: '/v1/raters/{raterId}',
  summary: 'Erase a rater: their records, their text in the event log, rollups and search, their tokens (admin)',
  description:
    'Irreversible. Records are hard-deleted (not tombstoned) after the rollups have been moved as if each were deleted; ' +
    'events about their records are deleted; events where they acted on others’ records keep the change with the actor replaced by "erased".',
  security: [{ bearer: [] }],
  middleware: [requireRole('admin'), noQuery] as const,
  request: { params: RaterParam },
  responses: { 200: { description: 'Erased; counts of what was removed', content: json(Erasure) }, ...errors },
});

const exportData = createRoute({
  method: 'get',
  path: '/v1/raters/{raterId}/export',
  summary: 'All data held about one rater, as one JSON document (admin, or the rater themself)',
  security: [{ bearer: [] }],
  middleware: [noQuery] as const,
  request: { params: RaterParam },
  responses: {
    200: {
      description: 'Streamed JSON: {format, version, workspaceId, raterId, exportedAt, tokens, feedback, events, items, traceEvents, notes}',
      content: json(z.object({ raterId: z.string(), feedback: z.array(z.unknown()) }).passthrough()),
    },
    ...errors,
  },
});

export const raterRoutes = createRouter()
  .openapi(erase, async (c) => {
    const { raterId } = c.req.valid('param');
    const { workspaceId } = c.get('auth');
    const db = c.get('store').db;
    if (!(await raterExists(db, workspaceId, raterId))) throw notFound('rater');
    const { workspaceId: _w, raterId: _r, ...erased } = await eraseRater(db, workspaceId, raterId);
    // The erased rater named by id only; the counts say how much went, nothing of what.
    await audit(c, 'rater.erased', { type: 'rater', id: raterId }, { erased });
    return c.json({ raterId, erased }, 200);
  })
  .openapi(exportData, async (c) => {
    const { raterId } = c.req.valid('param');
    const auth = c.get('auth');
    if (auth.raterId !== raterId && !hasRole(auth.role, 'admin')) {
      throw forbidden('Only an admin, or the rater themself, can export a rater’s data.');
    }
    const db = c.get('store').db;
    if (!(await raterExists(db, auth.workspaceId, raterId))) throw notFound('rater');
    await audit(c, 'rater.exported', { type: 'rater', id: raterId });
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="groundtruth-rater-${raterId.replace(/[^\w.-]/g, '_')}.json"`);
    c.header('Cache-Control', 'no-store');
    return stream(c, async (out) => {
      for await (const piece of raterExportJson(db, auth.workspaceId, raterId)) await out.write(piece);
    }) as never;
  });
