/**
 * GET /v1/traces/training-examples (analyst+): seed 001's training examples of one task as JSON
 * lines, streamed. Recorded as an export run (format `traces-<task>`, GET /v1/exports/runs/{id}:
 * sha256, counts and why examples were left out), so a training run can name what trained it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ErrorBody } from '../../shared/schemas.ts';
import { TRAINING_TASKS, TrainingExamplesQuery } from '../../shared/trace-training.ts';
import { audit } from '../audit/http.ts';
import { RUN_HEADER } from '../exports/download.ts';
import type { ResolvedFilters } from '../exports/filters.ts';
import { finishExportRun, startExportRun } from '../exports/runs.ts';
import { LineSink } from '../exports/stream.ts';
import { emptyTrainingCounts, trainingExamples } from '../exports/traces/examples.ts';
import { jsonLine } from '../exports/formats/types.ts';
import { clockNow } from '../lib/clock.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { logger } from '../metrics/log.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const examples = createRoute({
  method: 'get',
  path: '/v1/traces/training-examples',
  summary: `Training examples of one task from investigation traces and their feedback (JSON lines): ${TRAINING_TASKS.join(', ')}`,
  description:
    'One example per line: `{id, taskType, input, output, feedbackScore, feedbackCount, datasetType, issueType, investigationId, subject, createdAt}`. ' +
    'feedbackScore is the mean quality of the live feedback on the label (thumb up 1, down 0, stars 1–5 → 0…1), null without any. ' +
    'With minScore, only examples scored at least that are written (unrated ones are left out). ' +
    `Recorded as an export run (format traces-<task>; its id in the ${RUN_HEADER} header) with counts of what was left out and why. See docs/api/traces.md.`,
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(TrainingExamplesQuery.shape))] as const,
  request: { query: TrainingExamplesQuery },
  responses: {
    200: {
      description: 'The examples',
      headers: z.object({ [RUN_HEADER]: z.string().openapi({ description: 'The export run id' }) }),
      content: { 'application/x-ndjson': { schema: z.string().openapi({ description: 'One JSON object per line' }) } },
    },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Needs the analyst role', content: json(ErrorBody) },
    422: { description: 'No or unknown task, or minScore outside 0–1', content: json(ErrorBody) },
  },
});

export const traceRoutes = createRouter().openapi(examples, async (c) => {
  const q = c.req.valid('query');
  const auth = c.get('auth');
  const db = c.get('store').db;
  const format = `traces-${q.task}`;
  const filters = { task: q.task, minScore: q.minScore ?? null, subject: q.subject ?? null } as unknown as ResolvedFilters;
  const now = clockNow();
  const runId = await startExportRun(db, { workspaceId: auth.workspaceId, format, filters, split: null, via: 'http', actor: auth.id }, now);
  await audit(c, 'export.created', { type: 'export_run', id: runId }, { format, filters });
  const fileName = `groundtruth-${format}-${now.toISOString().slice(0, 10)}.jsonl`;
  c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="${fileName}"`);
  c.header('Cache-Control', 'no-store');
  c.header(RUN_HEADER, runId);
  return stream(c, async (out) => {
    const counts = emptyTrainingCounts();
    const sink = new LineSink((chunk) => out.write(chunk).then(() => undefined));
    let status: 'complete' | 'aborted' | 'failed' = 'complete';
    let error: string | undefined;
    try {
      for await (const example of trainingExamples(db, auth.workspaceId, q, counts)) {
        if (out.aborted) {
          status = 'aborted';
          break;
        }
        const pending = sink.push(jsonLine(example));
        if (pending) await pending;
      }
      await sink.flush();
    } catch (err) {
      status = 'failed';
      error = err instanceof Error ? err.message : String(err);
      logger().error({ err }, 'trace training export failed');
      out.abort();
    } finally {
      await finishExportRun(db, runId, {
        status,
        counts,
        files: [{ split: 'all', name: fileName, rows: sink.rows, bytes: sink.bytes, sha256: sink.digest() }],
        ...(error ? { error } : {}),
      });
    }
  }) as never;
});
