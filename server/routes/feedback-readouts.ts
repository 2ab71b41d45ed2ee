/**
 * 002's readouts under /v1/feedback: accuracy, stats and the weighted fine-tuning export
 * (analysts and admins). Mounted by routes/feedback.ts before its /v1/feedback/{id} routes, so
 * that "accuracy" and "stats" are never taken for an id. Unknown parameters and fields are
 * refused by name; errors carry FastAPI's `detail` too (lib/fastapi-detail.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  Accuracy,
  AccuracyQuery,
  FinetuningExportRequest,
  FinetuningExportSummary,
  Stats,
  StatsQuery,
} from '../../shared/dropin-feedback.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { ExportPathError, exportWindow, finetuningLines, writeFinetuningFile } from '../dropin/finetuning.ts';
import { dropInAccuracy, dropInStats } from '../dropin/readouts.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { fastApiHook } from '../lib/fastapi-detail.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Unknown query parameter (named), or malformed JSON', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid parameter or unknown field (named in the message and in FastAPI\'s `detail`)', content: json(ErrorBody) },
} as const;

const accuracyRoute = createRoute({
  method: 'get',
  path: '/v1/feedback/accuracy',
  summary: 'Drop-in (002): thumbs per model × intent × project, all time, with a Wilson interval',
  description:
    'The rows of 002\'s materialized view `model_accuracy_by_intent`: one per model × intent × project that has thumbs ' +
    '(null: not set), narrowed by `model`, `intent`, `project`; ordered by model, intent, project. Counts the `overall` criterion.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(AccuracyQuery.shape)), requireRole('analyst')] as const,
  request: { query: AccuracyQuery },
  responses: { 200: { description: 'One row per model × intent × project', content: json(Accuracy) }, ...errors },
});

const statsRoute = createRoute({
  method: 'get',
  path: '/v1/feedback/stats',
  summary: 'Drop-in (002): totals, unique users and sessions, mean memory_used, per model and per day over the last N days',
  description:
    'Whole UTC days ending today (`days`, default 7), for one `model`, `intent` and/or `project` if given. Thumbs of the `overall` criterion; ' +
    '`unique_users` counts distinct `user_id`, `unique_sessions` distinct `session_id`, `avg_memory_used` the mean numeric `memory_used`.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(StatsQuery.shape)), requireRole('analyst')] as const,
  request: { query: StatsQuery },
  responses: { 200: { description: 'Figures for the window', content: json(Stats) }, ...errors },
});

const exportRoute = createRoute({
  method: 'post',
  path: '/v1/feedback/export/finetuning',
  summary: 'Drop-in (002): weighted fine-tuning JSONL ({messages, weight: 2.0|0.5, metadata}), last 7 days by default',
  description:
    'The `weighted` export format for records created in [start_date, end_date) — or the `days` (default 7) before end_date; ' +
    '`days` with `start_date` is 422 — the same lines as `groundtruth export --format weighted --since … --until …`. With ' +
    '`output_path` (a file name relative to DATA_DIR/exports/; an absolute path or `..` is 422) the file is written there with ' +
    'its manifest, replacing an older one, and the answer is the summary `{status, output_path, total_samples, positive_samples, ' +
    'negative_samples, start_date, end_date}`; without it the answer is the lines.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([]), requireRole('analyst')] as const,
  request: { body: { required: false, content: json(FinetuningExportRequest) } },
  responses: {
    200: {
      description: 'The summary (with output_path) or the lines (JSON Lines)',
      content: { ...json(FinetuningExportSummary), 'application/x-ndjson': { schema: z.string() } },
    },
    ...errors,
  },
});

export const feedbackReadoutRoutes = createRouter()
  .openapi(
    accuracyRoute,
    async (c) => c.json(await dropInAccuracy(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query')), 200),
    fastApiHook(AccuracyQuery),
  )
  .openapi(
    statsRoute,
    async (c) => c.json(await dropInStats(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query'), clockNow()), 200),
    fastApiHook(StatsQuery),
  )
  .openapi(
    exportRoute,
    async (c) => {
      const body = c.req.valid('json') ?? {};
      const { since, until } = exportWindow(body, clockNow());
      if (!(since < until)) throw new ApiError(422, 'validation_failed', 'start_date: must be before end_date');
      const auth = c.get('auth');
      const store = c.get('store');
      await audit(c, 'export.created', undefined, {
        format: 'finetuning',
        since: since.toISOString(),
        until: until.toISOString(),
        ...(body.output_path ? { output_path: body.output_path } : {}),
      });
      if (body.output_path !== undefined) {
        try {
          return c.json(await writeFinetuningFile(store, auth.workspaceId, { since, until }, body.output_path, { actor: auth.id }), 200);
        } catch (err) {
          if (err instanceof ExportPathError) throw new ApiError(422, 'validation_failed', `output_path: ${err.message}`);
          throw err;
        }
      }
      const lines = finetuningLines(store, auth.workspaceId, since, until);
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
    },
    fastApiHook(FinetuningExportRequest),
  );
