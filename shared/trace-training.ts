/**
 * Training examples per task type, built from investigation traces and the feedback on their
 * steps (seed 001, "ML Training Pipeline"): GET /v1/traces/training-examples, one JSON object per
 * line. Task names are 001's `task_type` values.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

export const TRAINING_TASKS = ['hypothesis_gen', 'hypothesis_rank', 'query_gen', 'synthesis'] as const;
export const TrainingTask = z.enum(TRAINING_TASKS, { error: `must be one of ${TRAINING_TASKS.join(', ')}` });
export type TrainingTask = z.infer<typeof TrainingTask>;

/** The event types whose investigations can yield an example of each task. */
export const TASK_ANCHOR_TYPES: Record<TrainingTask, readonly string[]> = {
  hypothesis_gen: ['hypothesis.generated'],
  hypothesis_rank: ['hypothesis.accepted', 'hypothesis.rejected'],
  query_gen: ['query.planned'],
  synthesis: ['synthesis.generated'],
};

export const TrainingExamplesQuery = z.object({
  task: TrainingTask.describe(`which task: ${TRAINING_TASKS.join(', ')}`),
  minScore: z.coerce
    .number({ error: 'must be a number from 0 to 1' })
    .min(0, 'goes from 0 to 1')
    .max(1, 'goes from 0 to 1')
    .optional()
    .describe('only examples whose feedback score (0–1) is at least this; examples without feedback are then left out'),
  subject: z.string().max(LIMITS.shortTextMaxChars).optional().describe('only investigations about this subject (dataset)'),
});
export type TrainingExamplesQuery = z.infer<typeof TrainingExamplesQuery>;

/** One line of the export (001's ml_training_examples, in the API's camelCase). */
export const TrainingExample = z.object({
  id: z.string(),
  taskType: TrainingTask,
  input: z.record(z.string(), z.unknown()),
  output: z.record(z.string(), z.unknown()),
  /** Mean quality of the live feedback on the example's label, 0–1 (thumb up 1, down 0; stars 1–5 → 0…1); null: none. */
  feedbackScore: z.number().nullable(),
  feedbackCount: z.number().int(),
  datasetType: z.string().nullable(),
  issueType: z.string().nullable(),
  investigationId: z.string(),
  subject: z.string().nullable(),
  createdAt: z.string(),
});
export type TrainingExample = z.infer<typeof TrainingExample>;

/** What an export wrote, and why anything was left out (counted in the export run: nothing dropped silently). */
export const TrainingExportCounts = z.object({
  examples: z.number().int(),
  /** Of those written, how many have no feedback (feedbackScore null; only without minScore). */
  unscored: z.number().int(),
  leftOut: z.object({
    /** minScore given and the example's score is below it. */
    belowMinScore: z.number().int(),
    /** minScore given and nobody rated the example's label. */
    noFeedback: z.number().int(),
    /** Steps that could not make an example: no id or no text (hypothesis_rank: verdicts on fewer than two hypotheses). */
    incomplete: z.number().int(),
  }),
});
export type TrainingExportCounts = z.infer<typeof TrainingExportCounts>;
