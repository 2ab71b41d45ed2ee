/**
 * What trained what (issue 14, part 5; ADR 0038): a fine-tuning run recorded against the export
 * runs whose files it trained on. DAGnostics' `training_sessions (id, session_timestamp,
 * model_name, training_data_size, hyperparameters, training_metrics, model_path)` and its
 * `training feedback-stats` come from here. Described once: the route (validation, OpenAPI), the
 * store, the CLI and the dashboard derive from these schemas. See docs/api/training-runs.md.
 */
import { z } from 'zod';

export const TRAINING_RUN_LIMITS = {
  /** Export runs one training run may name. */
  exportRunsMax: 100,
  /** Model and base model names. */
  nameMaxChars: 256,
  modelPathMaxChars: 4096,
  /** Serialized JSON of `hyperparameters` and of `metrics`, each. */
  jsonMaxBytes: 64 * 1024,
  listDefaultLimit: 50,
  listMaxLimit: 200,
} as const;

const NUL = '\u0000';
/** Non-empty text without U+0000 (PostgreSQL text cannot hold it: refused alike on SQLite). */
const text = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((v) => !v.includes(NUL), 'must not contain the NUL character (U+0000)');
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-02-01T10:00:00Z' });
/** A free-form JSON object (open: any keys), bounded in size. */
const jsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= TRAINING_RUN_LIMITS.jsonMaxBytes, `must serialize to at most ${TRAINING_RUN_LIMITS.jsonMaxBytes} bytes`);
const exportRunId = z.string().min(1).max(100);

/** A finished time before the start is refused (both given, or the PATCH's against the stored start). */
export function timesInOrder(startedAt: string | null | undefined, finishedAt: string | null | undefined): boolean {
  return !startedAt || !finishedAt || Date.parse(finishedAt) >= Date.parse(startedAt);
}

/** POST /v1/training-runs: one fine-tuning run and the export runs it trained on. */
export const TrainingRunInput = z
  .strictObject({
    /** The model this run produced (e.g. `dagnostics-analyzer-v3`): what `?model=` finds. */
    modelName: text(TRAINING_RUN_LIMITS.nameMaxChars),
    /** The model it was fine-tuned from (e.g. `qwen2.5:7b`). */
    baseModel: text(TRAINING_RUN_LIMITS.nameMaxChars).optional(),
    /** Export runs of the caller's workspace (GET /v1/exports/runs); each must be complete. Duplicates count once. */
    exportRunIds: z
      .array(exportRunId)
      .min(1, 'name at least one export run')
      .max(TRAINING_RUN_LIMITS.exportRunsMax, `at most ${TRAINING_RUN_LIMITS.exportRunsMax} export runs`),
    hyperparameters: jsonObject.optional(),
    metrics: jsonObject.optional(),
    /** Where the trained model is (a path, a registry name, an Ollama tag). */
    modelPath: text(TRAINING_RUN_LIMITS.modelPathMaxChars).optional(),
    startedAt: isoTime.optional(),
    finishedAt: isoTime.optional(),
    /** Examples trained on; default: the train-side lines of the export runs, when every one of them counted its lines. */
    trainingDataSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((r) => timesInOrder(r.startedAt, r.finishedAt), { message: 'finishedAt must not be before startedAt', path: ['finishedAt'] });
export type TrainingRunInput = z.infer<typeof TrainingRunInput>;

/** PATCH /v1/training-runs/{id}: what becomes known when the run ends. A field sent replaces the stored one. */
export const TrainingRunPatch = z
  .strictObject({
    finishedAt: isoTime.optional(),
    metrics: jsonObject.optional(),
    modelPath: text(TRAINING_RUN_LIMITS.modelPathMaxChars).optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'send at least one of finishedAt, metrics, modelPath');
export type TrainingRunPatch = z.infer<typeof TrainingRunPatch>;

/** One export run as a training run lists it: what data, how much. */
export const TrainingRunExport = z.object({
  id: z.string(),
  format: z.string(),
  /** The export's resolved filters, as its manifest records them. */
  filters: z.record(z.string(), z.unknown()),
  split: z.number().nullable(),
  status: z.string(),
  /** Records the export read (null while it had no counts). */
  records: z.number().nullable(),
  /** Lines written to the train side (or to the one file without a split). */
  trainExamples: z.number().nullable(),
  validationExamples: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TrainingRunExport = z.infer<typeof TrainingRunExport>;

/** A training run as the API returns it. */
export const TrainingRun = z.object({
  id: z.string(),
  workspaceId: z.string(),
  modelName: z.string(),
  baseModel: z.string().nullable(),
  hyperparameters: z.record(z.string(), z.unknown()).nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  modelPath: z.string().nullable(),
  trainingDataSize: z.number().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When it was recorded (server clock); `session_timestamp` when startedAt is absent. */
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Token id that recorded it; null from the CLI. */
  createdBy: z.string().nullable(),
  exportRuns: z.array(TrainingRunExport),
});
export type TrainingRun = z.infer<typeof TrainingRun>;

const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

/** GET /v1/training-runs: newest recorded first. */
export const TrainingRunsQuery = z.object({
  model: z.preprocess(blankIsAbsent, text(TRAINING_RUN_LIMITS.nameMaxChars).optional()),
  exportRunId: z.preprocess(blankIsAbsent, exportRunId.optional()),
  limit: z.preprocess(
    blankIsAbsent,
    z.coerce.number().int().min(1).max(TRAINING_RUN_LIMITS.listMaxLimit).default(TRAINING_RUN_LIMITS.listDefaultLimit),
  ),
  cursor: z.preprocess(blankIsAbsent, z.string().max(200).optional()),
});
export type TrainingRunsQuery = z.infer<typeof TrainingRunsQuery>;

export const TrainingRunsPage = z.object({ items: z.array(TrainingRun), nextCursor: z.string().nullable() });
export type TrainingRunsPage = z.infer<typeof TrainingRunsPage>;

/** GET /v1/training-runs/stats. */
export const TrainingStatsQuery = z.object({
  model: z.preprocess(blankIsAbsent, text(TRAINING_RUN_LIMITS.nameMaxChars).optional()),
});
export type TrainingStatsQuery = z.infer<typeof TrainingStatsQuery>;

/**
 * Per model: its runs, the latest, what was exported to it, and the feedback that arrived after
 * the latest run's data was cut, so "is there enough new feedback to retrain?" is one number.
 */
export const ModelTrainingStats = z.object({
  modelName: z.string(),
  runs: z.number(),
  latestRun: z.object({
    id: z.string(),
    baseModel: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    createdAt: z.string(),
    trainingDataSize: z.number().nullable(),
    metrics: z.record(z.string(), z.unknown()).nullable(),
    modelPath: z.string().nullable(),
  }),
  /** Distinct export runs over all its runs. */
  exportRuns: z.number(),
  /** Records those exports read (a record in two exports counts twice). */
  exportedRecords: z.number(),
  /** Train-side examples of those exports. */
  exportedExamples: z.number(),
  newFeedback: z.object({
    /** When the latest run's data was cut: the start of its newest export run. */
    since: z.string(),
    /** Live feedback of the workspace received after `since`. */
    received: z.number(),
    /** Of those, the ones the latest run's exports' filters take (their time window left aside): what a re-export would add. */
    matching: z.number(),
  }),
});
export type ModelTrainingStats = z.infer<typeof ModelTrainingStats>;

export const TrainingStats = z.object({ models: z.array(ModelTrainingStats), serverTime: z.string() });
export type TrainingStats = z.infer<typeof TrainingStats>;
