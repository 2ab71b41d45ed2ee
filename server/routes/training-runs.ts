/**
 * What trained what (ADR 0038; docs/api/training-runs.md): POST a fine-tuning run against the
 * export runs it trained on, list runs by model or by export run, PATCH what became known when it
 * ended, and per-model stats ("enough new feedback to retrain?"). Analyst or admin tokens, as for
 * exports; every query in the token's workspace.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import {
  TrainingRun,
  TrainingRunInput,
  TrainingRunPatch,
  TrainingRunsPage,
  TrainingRunsQuery,
  TrainingStats,
  TrainingStatsQuery,
} from '../../shared/training-runs.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import {
  TrainingRunCursorError,
  TrainingRunExportsError,
  TrainingRunTimesError,
  createTrainingRun,
  getTrainingRun,
  listTrainingRuns,
  patchTrainingRun,
  trainingStats,
} from '../store/training-runs.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const TAGS = ['Training runs'];
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Schema violation or unknown field', content: json(ErrorBody) },
} as const;
const analyst = requireRole('analyst');
const noQuery = rejectUnknownQuery([]);
const IdParam = z.object({ id: z.string().min(1).max(100) });
const Run = TrainingRun.openapi('TrainingRun');

const record = createRoute({
  method: 'post',
  path: '/v1/training-runs',
  summary: 'Record a fine-tuning run against the export runs it trained on (analyst+)',
  description:
    'Each of `exportRunIds` must be a complete export run of your workspace (GET /v1/exports/runs); otherwise 422 ' +
    '`unknown_export_runs` or `export_runs_not_complete` with `details.ids` naming them, and nothing is recorded. ' +
    '`trainingDataSize` defaults to the train-side lines of those export runs. Times are ISO 8601 and stored as UTC.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, noQuery] as const,
  request: { body: { required: true, content: json(TrainingRunInput.openapi('TrainingRunInput')) } },
  responses: { 201: { description: 'Recorded', content: json(Run) }, ...errors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/training-runs',
  summary: 'Training runs, newest recorded first, each with its export runs (analyst+)',
  description: '`model=` gives the exports that trained a model; `exportRunId=` the models an export trained. Pages by `nextCursor`.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, rejectUnknownQuery(Object.keys(TrainingRunsQuery.shape))] as const,
  request: { query: TrainingRunsQuery },
  responses: { 200: { description: 'A page of runs', content: json(TrainingRunsPage.openapi('TrainingRunsPage')) }, ...errors },
});

const stats = createRoute({
  method: 'get',
  path: '/v1/training-runs/stats',
  summary: 'Per model: runs, the latest, what was exported to it, and feedback received since (analyst+)',
  description:
    '`newFeedback.since` is when the latest run’s data was cut (the start of its newest export run); `received` counts the ' +
    'live feedback that arrived after it, `matching` those its exports’ filters would take (their time window aside).',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, rejectUnknownQuery(Object.keys(TrainingStatsQuery.shape))] as const,
  request: { query: TrainingStatsQuery },
  responses: { 200: { description: 'Per-model figures', content: json(TrainingStats.openapi('TrainingStats')) }, ...errors },
});

const getOne = createRoute({
  method: 'get',
  path: '/v1/training-runs/{id}',
  summary: 'One training run with its export runs (analyst+)',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, noQuery] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'The run', content: json(Run) },
    404: { description: 'No such run in this workspace', content: json(ErrorBody) },
    ...errors,
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/v1/training-runs/{id}',
  summary: 'Set finishedAt, metrics or modelPath when the run ends (analyst+)',
  description: 'A field sent replaces the stored one (metrics as a whole). finishedAt before the run’s startedAt is 422.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, noQuery] as const,
  request: { params: IdParam, body: { required: true, content: json(TrainingRunPatch.openapi('TrainingRunPatch')) } },
  responses: {
    200: { description: 'The run as it is now', content: json(Run) },
    404: { description: 'No such run in this workspace', content: json(ErrorBody) },
    ...errors,
  },
});

export const trainingRunRoutes = createRouter()
  .openapi(
    record,
    async (c) => {
      const auth = c.get('auth');
      try {
        const run = await createTrainingRun(c.get('store').db, { workspaceId: auth.workspaceId, input: c.req.valid('json'), createdBy: auth.id }, clockNow());
        return c.json(run, 201);
      } catch (err) {
        if (err instanceof TrainingRunExportsError) throw new ApiError(422, err.code, err.message, { field: 'exportRunIds', ids: err.ids });
        throw err;
      }
    },
    rejectUnknownKeys(TrainingRunInput),
  )
  // Before /{id}, so "stats" is not taken for an id.
  .openapi(stats, async (c) => {
    return c.json(await trainingStats(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query'), clockNow()), 200);
  })
  .openapi(list, async (c) => {
    try {
      return c.json(await listTrainingRuns(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query')), 200);
    } catch (err) {
      if (err instanceof TrainingRunCursorError) throw new ApiError(422, 'validation_failed', err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  })
  .openapi(getOne, async (c) => {
    const run = await getTrainingRun(c.get('store').db, c.get('auth').workspaceId, c.req.valid('param').id);
    if (!run) throw notFound('training run');
    return c.json(run, 200);
  })
  .openapi(
    patch,
    async (c) => {
      try {
        const run = await patchTrainingRun(c.get('store').db, c.get('auth').workspaceId, c.req.valid('param').id, c.req.valid('json'), clockNow());
        if (!run) throw notFound('training run');
        return c.json(run, 200);
      } catch (err) {
        if (err instanceof TrainingRunTimesError) throw new ApiError(422, 'validation_failed', err.message, [{ path: 'finishedAt', message: err.message }]);
        throw err;
      }
    },
    rejectUnknownKeys(TrainingRunPatch),
  );
