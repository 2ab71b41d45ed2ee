/**
 * GET /v1/exports/{format} (analyst+): a streamed download — rows leave the database one at a
 * time and the body is written with backpressure, so a million-row export holds no more memory
 * than a small one. Every download is recorded as an export run (GET /v1/exports/runs): its id
 * is in the X-Groundtruth-Export-Run header, and once the body is complete the run holds each
 * file's sha256 and counts. The streaming itself is exports/download.ts, shared with the dashboard.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { FILTER_SHAPE, WINDOW_SHAPE, pickFilters, refuseConflicts } from '../../shared/filters.ts';
import { prepareExport, type PreparedExport } from '../exports/stream.ts';
import { RUN_HEADER, streamExportDownload } from '../exports/download.ts';
import { FORMAT_NAMES, type FormatName } from '../exports/formats/index.ts';
import { getExportRun, listExportRuns } from '../exports/runs.ts';
import { GOLD_SOURCES } from '../exports/gold.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid query', content: json(ErrorBody) },
} as const;

/** The filters of every list and the window options (shared/filters.ts), and the download's own options. */
export const ExportQuery = z
  .object({
    ...FILTER_SHAPE,
    ...WINDOW_SHAPE,
    split: z.coerce.number().gt(0).lt(1).optional().openapi({ description: 'Validation share by hash of the conversation, e.g. 0.1 (needs side)' }),
    side: z.enum(['train', 'validation']).optional().openapi({ description: 'Which side of the split to download' }),
    weightUp: z.coerce.number().min(0).max(1000).optional().openapi({ description: 'weighted format: weight of up-rated answers (2.0)' }),
    weightDown: z.coerce.number().min(0).max(1000).optional().openapi({ description: 'weighted format: weight of down-rated answers (0.5)' }),
    gold: z.enum(GOLD_SOURCES).optional().openapi({
      description: 'jsonl with queue=<id>: each adjudicated target and criterion of that queue as one gold line in place of its reviews (counts.gold says how many)',
    }),
  })
  .superRefine(refuseConflicts);
export type ExportQuery = z.infer<typeof ExportQuery>;

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
  middleware: [requireRole('analyst'), rejectUnknownQuery(['limit'])] as const,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
  responses: { 200: { description: 'Runs', content: json(z.object({ items: z.array(ExportRun) })) }, ...errors },
});

const getRun = createRoute({
  method: 'get',
  path: '/v1/exports/runs/{id}',
  summary: 'One export run (its manifest)',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery([])] as const,
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
  summary: `Stream an export: ${FORMAT_NAMES.join(', ')}`,
  description:
    'Streamed as it is read (never built in memory). Identical prompt+answer examples are merged with the majority label. ' +
    'With split, the side is chosen by hash of the conversation, so a conversation never straddles the split and a record keeps its side. ' +
    `The run id is in the ${RUN_HEADER} header; GET /v1/exports/runs/{id} gives the sha256 and counts once the body is complete. ` +
    'The filters are those of every list; without since, until, days or all the window is the last 7 days. days with since or until, ' +
    'all with any of them, or minStars above maxStars is 422; an unknown query parameter is 400 `unknown_parameter`.',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(ExportQuery.shape))] as const,
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
    const prepared = prepareDownload(format, q);
    return streamExportDownload(c, { format, prepared, side: q.side }) as never;
  });

/** A download's checked query as a prepared export (this route and the dashboard's download). */
export function prepareDownload(format: FormatName, q: ExportQuery): PreparedExport {
  if ((q.split === undefined) !== (q.side === undefined)) {
    throw new ApiError(422, 'validation_failed', 'split and side go together: e.g. split=0.1&side=validation');
  }
  if (q.gold && format !== 'jsonl') throw new ApiError(422, 'validation_failed', 'gold=adjudicated writes full records: use the jsonl format', [{ path: 'gold', message: 'jsonl only' }]);
  if (q.gold && !q.queue) throw new ApiError(422, 'validation_failed', 'gold=adjudicated needs the queue whose adjudications are gold: queue=<id>', [{ path: 'queue', message: 'required with gold' }]);
  return prepareExport({
    gold: q.gold,
    format,
    split: q.split,
    weights: { up: q.weightUp, down: q.weightDown },
    filters: { ...pickFilters(q), days: q.days, all: q.all },
  });
}
