/**
 * Drop-in readouts under /v1/feedback: accuracy, stats and the weighted fine-tuning export
 * (analysts and admins). Mounted by routes/feedback.ts before its /v1/feedback/{id} routes, so
 * that "accuracy" and "stats" are never taken for an id.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Accuracy, AccuracyQuery, FinetuningExportRequest, Stats, StatsQuery } from '../../shared/dropin-feedback.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { exportWindow, finetuningLines } from '../dropin/finetuning.ts';
import { dropInAccuracy, dropInStats } from '../dropin/readouts.ts';
import { ApiError } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid parameter (named in the message)', content: json(ErrorBody) },
} as const;

const accuracyRoute = createRoute({
  method: 'get',
  path: '/v1/feedback/accuracy',
  summary: 'Drop-in: share of good ratings (thumbs) for a model, intent and/or project, with a Wilson interval',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: { query: AccuracyQuery },
  responses: { 200: { description: 'Accuracy over all live ratings that match', content: json(Accuracy) }, ...errors },
});

const statsRoute = createRoute({
  method: 'get',
  path: '/v1/feedback/stats',
  summary: 'Drop-in: totals, accuracy per model and per day over the last N days (default 7)',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: { query: StatsQuery },
  responses: { 200: { description: 'Figures for the window', content: json(Stats) }, ...errors },
});

const exportRoute = createRoute({
  method: 'post',
  path: '/v1/feedback/export/finetuning',
  summary: 'Drop-in: weighted fine-tuning JSONL ({messages, weight: 2.0|0.5, metadata}), last 7 days by default',
  description:
    'One line per rated answer created in [start_date, end_date): weight 2.0 for a good answer (thumb up, 4–5 stars, or a ' +
    'correction, which replaces the answer), 0.5 for a bad one. 3-star and label-only ratings are left out.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: { body: { required: false, content: json(FinetuningExportRequest) } },
  responses: {
    200: { description: 'JSON Lines', content: { 'application/x-ndjson': { schema: z.string() } } },
    400: { description: 'Malformed JSON', content: json(ErrorBody) },
    ...errors,
  },
});

export const feedbackReadoutRoutes = createRouter()
  .openapi(accuracyRoute, async (c) => {
    return c.json(await dropInAccuracy(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query')), 200);
  })
  .openapi(statsRoute, async (c) => {
    return c.json(await dropInStats(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query').days), 200);
  })
  .openapi(exportRoute, async (c) => {
    const body = c.req.valid('json');
    const { since, until } = exportWindow(body.start_date, body.end_date);
    if (!(since < until)) throw new ApiError(422, 'validation_failed', 'start_date: must be before end_date');
    await audit(c, 'export.created', undefined, { format: 'finetuning', since: since.toISOString(), until: until.toISOString() });
    const lines = finetuningLines(c.get('store').db, c.get('auth').workspaceId, since, until);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const name = `finetuning-${since.toISOString().slice(0, 10)}-${until.toISOString().slice(0, 10)}.jsonl`;
    return new Response(stream, {
      status: 200,
      headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` },
    }) as never;
  });
