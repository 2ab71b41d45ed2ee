/**
 * GET /v1/exports/{format} (analyst+): a streamed download — rows leave the database one at a
 * time and the body is written with backpressure, so a million-row export holds no more memory
 * than a small one. Every download is recorded as an export run (GET /v1/exports/runs): its id
 * is in the X-Groundtruth-Export-Run header, and once the body is complete the run holds each
 * file's sha256 and counts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ErrorBody, TargetKind, Thumb } from '../../shared/schemas.ts';
import { exportLines, emptyCounts, LineSink, openExportReader, prepareExport } from '../exports/stream.ts';
import { FORMAT_NAMES } from '../exports/formats/index.ts';
import { finishExportRun, getExportRun, listExportRuns, startExportRun } from '../exports/runs.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { audit } from '../audit/http.ts';
import { createRouter } from '../lib/router.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid query', content: json(ErrorBody) },
} as const;

const RUN_HEADER = 'X-Groundtruth-Export-Run';
const Bound = z.iso.datetime({ offset: true }).or(z.iso.date());
const flag = z.enum(['true', 'false', '1', '0']);

const ExportQuery = z.object({
  since: Bound.optional().openapi({ description: 'Records created at or after (wins over days)' }),
  until: Bound.optional().openapi({ description: 'Records created before' }),
  days: z.coerce.number().int().min(1).max(36500).optional().openapi({ description: 'The last N days (default 7: the weekly export)' }),
  all: flag.optional().openapi({ description: 'No time window at all' }),
  model: z.string().min(1).max(256).optional(),
  intent: z.string().min(1).max(256).optional(),
  project: z.string().min(1).max(256).optional(),
  site: z.string().min(1).max(256).optional(),
  kind: TargetKind.optional(),
  minStars: z.coerce.number().int().min(1).max(5).optional(),
  thumb: Thumb.optional(),
  split: z.coerce.number().gt(0).lt(1).optional().openapi({ description: 'Validation share by hash of the conversation, e.g. 0.1 (needs side)' }),
  side: z.enum(['train', 'validation']).optional().openapi({ description: 'Which side of the split to download' }),
  weightUp: z.coerce.number().min(0).max(1000).optional().openapi({ description: 'weighted format: weight of up-rated answers (2.0)' }),
  weightDown: z.coerce.number().min(0).max(1000).optional().openapi({ description: 'weighted format: weight of down-rated answers (0.5)' }),
});

const ExportFile = z.object({
  split: z.enum(['train', 'validation', 'all']),
  name: z.string(),
  rows: z.number(),
  bytes: z.number(),
  sha256: z.string(),
});

const ExportRun = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    format: z.string(),
    filters: z.record(z.string(), z.unknown()),
    split: z.number().nullable(),
    via: z.enum(['cli', 'http']),
    actor: z.string().nullable(),
    status: z.enum(['running', 'complete', 'failed', 'aborted']),
    counts: z.record(z.string(), z.unknown()).nullable(),
    files: z.array(ExportFile).nullable(),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ExportRun');

const listRuns = createRoute({
  method: 'get',
  path: '/v1/exports/runs',
  summary: 'Export runs, newest first: which data (format, filters, files and their sha256) went where',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
  responses: { 200: { description: 'Runs', content: json(z.object({ items: z.array(ExportRun) })) }, ...errors },
});

const getRun = createRoute({
  method: 'get',
  path: '/v1/exports/runs/{id}',
  summary: 'One export run (its manifest)',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: {
    200: { description: 'The run', content: json(ExportRun) },
    404: { description: 'No such run in this workspace', content: json(ErrorBody) },
    ...errors,
  },
});

const download = createRoute({
  method: 'get',
  path: '/v1/exports/{format}',
  summary: 'Stream an export: openai-sft, weighted, openai-dpo, trl-dpo, trl-kto, csv or jsonl',
  description:
    'Streamed as it is read (never built in memory). Identical prompt+answer examples are merged with the majority label. ' +
    'With split, the side is chosen by hash of the conversation, so a conversation never straddles the split and a record keeps its side. ' +
    `The run id is in the ${RUN_HEADER} header; GET /v1/exports/runs/{id} gives the sha256 and counts once the body is complete.`,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: { params: z.object({ format: z.enum(FORMAT_NAMES) }), query: ExportQuery },
  responses: {
    200: {
      description: 'The export body',
      headers: z.object({ [RUN_HEADER]: z.string().openapi({ description: 'The export run id' }) }),
      content: {
        'application/x-ndjson': { schema: z.string().openapi({ description: 'One JSON object per line' }) },
        'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row; every line that would start a formula neutralised, cells with CR, LF, commas or quotes quoted' }) },
      },
    },
    ...errors,
  },
});

export const exportRoutes = createRouter()
  .openapi(listRuns, async (c) => {
    const { limit } = c.req.valid('query');
    return c.json({ items: await listExportRuns(c.get('store').db, c.get('auth').workspaceId, limit) }, 200);
  })
  .openapi(getRun, async (c) => {
    const run = await getExportRun(c.get('store').db, c.get('auth').workspaceId, c.req.valid('param').id);
    if (!run) throw notFound('export run');
    return c.json(run, 200);
  })
  .openapi(download, async (c) => {
    const { format } = c.req.valid('param');
    const q = c.req.valid('query');
    if ((q.split === undefined) !== (q.side === undefined)) {
      throw new ApiError(422, 'validation_failed', 'split and side go together: e.g. split=0.1&side=validation');
    }
    const auth = c.get('auth');
    const store = c.get('store');
    const prepared = prepareExport({
      format,
      split: q.split,
      weights: { up: q.weightUp, down: q.weightDown },
      filters: {
        since: q.since,
        until: q.until,
        days: q.days,
        all: q.all === 'true' || q.all === '1',
        model: q.model,
        intent: q.intent,
        project: q.project,
        site: q.site,
        kind: q.kind,
        minStars: q.minStars,
        thumb: q.thumb,
      },
    });
    const side = q.side ?? 'all';
    const runId = await startExportRun(store.db, {
      workspaceId: auth.workspaceId,
      format,
      filters: prepared.filters,
      split: prepared.split,
      via: 'http',
      actor: auth.id,
    });
    await audit(c, 'export.created', { type: 'export_run', id: runId }, { format, filters: prepared.filters, split: prepared.split ?? null, side });
    const fileName = `groundtruth-${format}-${new Date().toISOString().slice(0, 10)}${q.side ? `.${q.side}` : ''}.${prepared.format.extension}`;
    c.header('Content-Type', prepared.format.contentType);
    c.header('Content-Disposition', `attachment; filename="${fileName}"`);
    c.header('Cache-Control', 'no-store');
    c.header(RUN_HEADER, runId);
    return stream(c, async (out) => {
      const counts = emptyCounts();
      const sink = new LineSink((chunk) => out.write(chunk).then(() => undefined));
      const reader = openExportReader(store);
      let status: 'complete' | 'aborted' | 'failed' = 'complete';
      let error: string | undefined;
      try {
        if (prepared.format.mode === 'records' && prepared.format.header) sink.push(prepared.format.header, false);
        for await (const line of exportLines(reader.db, auth.workspaceId, prepared, counts)) {
          if (out.aborted) {
            status = 'aborted';
            break;
          }
          if (line.side !== side) continue;
          const pending = sink.push(line.text);
          if (pending) await pending;
        }
        await sink.flush();
      } catch (err) {
        status = 'failed';
        error = err instanceof Error ? err.message : String(err);
        console.error('[groundtruth] export failed', err);
        out.abort();
      } finally {
        await reader.close();
        await finishExportRun(store.db, runId, {
          status,
          counts,
          files: [{ split: side, name: fileName, rows: sink.rows, bytes: sink.bytes, sha256: sink.digest() }],
          ...(error ? { error } : {}),
        });
      }
    }) as never;
  });
