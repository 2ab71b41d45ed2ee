/**
 * The two drop-in feedback shapes that apps are already built against, so they can point at
 * Groundtruth without code changes beyond the base URL and a token. Both map onto the one feedback
 * record (see server/dropin/ and docs/decisions, "drop-in feedback APIs").
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

const shortText = z.string().max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`);
const longText = z.string().max(LIMITS.textMaxChars, `at most ${LIMITS.textMaxChars} characters`);
const jsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= LIMITS.contextMaxBytes / 2, `must serialize to at most ${LIMITS.contextMaxBytes / 2} bytes`);

// ——— Shape 1: POST /v1/feedback {query, response, model, rating: 1|-1, …} (seed 002) ———

/** Marks a record created through shape 1 (in `target.context.source`): its GET answers in that shape. */
export const DROPIN_SOURCE = 'feedback-api';

export const DropInRating = z.union([z.literal(1), z.literal(-1)], { error: 'rating must be 1 (good) or -1 (bad)' });
export type DropInRating = z.infer<typeof DropInRating>;

const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-02-01T12:00:00Z' });

/**
 * What 002's integration code sends (its FeedbackRequest). Strict: a field it does not list is a
 * 422 `unknown_field` naming it, never dropped. `memory_used` is what `get_memory_usage()` gives
 * (a number; averaged by /stats); the earlier `true`/list forms stay accepted.
 */
export const DropInFeedbackInput = z.strictObject({
  query: longText.min(1, 'must not be empty'),
  response: longText.min(1, 'must not be empty'),
  model: shortText.min(1, 'must not be empty'),
  rating: DropInRating,
  intent: shortText.optional(),
  project: shortText.optional(),
  /** The app's end user (not a Groundtruth rater; the token decides that). */
  user_id: shortText.optional(),
  session_id: shortText.optional(),
  memory_used: z
    .union([z.number().finite(), z.boolean(), z.array(z.string().max(LIMITS.shortTextMaxChars)).max(100)], {
      error: 'memory_used must be a number (e.g. 512), true/false or a list of strings',
    })
    .optional(),
  tools_called: z.array(z.union([z.string().max(LIMITS.shortTextMaxChars), z.record(z.string(), z.unknown())])).max(100).optional(),
  metadata: jsonObject.optional(),
  /** When the answer was rated (a backfill); default: now. More than MAX_CLOCK_SKEW_SECONDS ahead is 422 `clock_ahead`. */
  created_at: isoDateTime.optional(),
});
export type DropInFeedbackInput = z.infer<typeof DropInFeedbackInput>;

export const DropInCreated = z.object({ status: z.literal('success'), feedback_id: z.string() });

/** PUT /v1/feedback/{id}: only the rating and the metadata change (another field: 422 `unknown_field`). */
export const DropInFeedbackUpdate = z
  .strictObject({ rating: DropInRating.optional(), metadata: jsonObject.optional() })
  .refine((v) => v.rating !== undefined || v.metadata !== undefined, 'send rating, metadata or both');
export type DropInFeedbackUpdate = z.infer<typeof DropInFeedbackUpdate>;

/** A record in shape 1. `rating` is null for a record that has no thumb (e.g. stars only). */
export const DropInFeedback = z.object({
  feedback_id: z.string(),
  query: z.string().nullable(),
  response: z.string().nullable(),
  model: z.string().nullable(),
  rating: DropInRating.nullable(),
  intent: z.string().nullable(),
  project: z.string().nullable(),
  user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  memory_used: z.unknown().optional(),
  tools_called: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type DropInFeedback = z.infer<typeof DropInFeedback>;

export const DropInDeleted = z.object({ status: z.literal('success'), feedback_id: z.string(), deleted: z.literal(true) });

const Interval = z.object({ lower: z.number(), upper: z.number(), confidence: z.number() });

const dimension = z.string().max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`).optional();

/** Filters of /accuracy; an empty value (`model=`) counts as absent. */
export const AccuracyQuery = z.object({ model: dimension, intent: dimension, project: dimension });
export type AccuracyQuery = z.infer<typeof AccuracyQuery>;

/**
 * One row of 002's materialized view `model_accuracy_by_intent`: a model × intent × project (null:
 * not set) with its thumbs (a drop-in rating of 1 is a thumb up, -1 a thumb down), the share up and
 * its Wilson 95% interval. Ratings without a thumb (stars or a label only) are not counted.
 */
export const AccuracyRow = z.object({
  model: z.string().nullable(),
  intent: z.string().nullable(),
  project: z.string().nullable(),
  total: z.number().int(),
  positive: z.number().int(),
  negative: z.number().int(),
  /** positive / total. */
  accuracy: z.number(),
  /** Wilson score interval (95%) of the accuracy. */
  interval: Interval,
  /** Fewer than 10 thumbs: the interval is too wide to rank on. */
  thin: z.boolean(),
});
export type AccuracyRow = z.infer<typeof AccuracyRow>;
export const Accuracy = z.array(AccuracyRow);
export type Accuracy = z.infer<typeof Accuracy>;

export const StatsQuery = z.object({
  days: z.coerce.number().int('days must be a whole number').min(1, 'days goes from 1 to 365').max(365, 'days goes from 1 to 365').default(7),
  model: dimension,
  intent: dimension,
  project: dimension,
});
export type StatsQuery = z.infer<typeof StatsQuery>;

const Counts = { total: z.number().int(), positive: z.number().int(), negative: z.number().int(), accuracy: z.number().nullable() };
export const Stats = z.object({
  days: z.number().int(),
  since: z.string(),
  until: z.string(),
  /** The filters applied (null: all). */
  model: z.string().nullable(),
  intent: z.string().nullable(),
  project: z.string().nullable(),
  ...Counts,
  /** Distinct `user_id`s (the app's end users) among the ratings. */
  unique_users: z.number().int(),
  /** Distinct `session_id`s among the ratings. */
  unique_sessions: z.number().int(),
  /** Mean of the numeric `memory_used` values sent; null when none was. */
  avg_memory_used: z.number().nullable(),
  by_model: z.array(z.object({ model: z.string().nullable(), ...Counts })),
  daily: z.array(z.object({ date: z.string(), ...Counts })),
});
export type Stats = z.infer<typeof Stats>;

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (2026-02-01) or an ISO 8601 date-time',
});

/** A file name under DATA_DIR/exports/: relative, no `..` segment (subfolders are fine). */
export const ExportFileName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'at most 255 characters')
  .refine((p) => !/^([/\\]|[A-Za-z]:)/.test(p), 'must be a file name relative to DATA_DIR/exports/, not an absolute path')
  .refine((p) => !p.split(/[/\\]/).includes('..'), 'must not contain ".." (the file stays under DATA_DIR/exports/)')
  .refine((p) => !/[\\\u0000-\u001f]/.test(p), 'must not contain a backslash or control characters')
  .refine((p) => !/[/]$/.test(p) && !p.split('/').includes('.') && !p.includes('//'), 'must name a file, e.g. weekly/2026-02-01.jsonl');

export const FinetuningExportRequest = z
  .strictObject({
    /**
     * Written to DATA_DIR/exports/<output_path> (with a manifest beside it; an existing file is
     * replaced, as 002's weekly job expects); the answer is the summary. Omitted: the lines are the answer.
     */
    output_path: ExportFileName.optional(),
    /** Inclusive; a bare date means its start (UTC). Default: `days` before end_date. */
    start_date: dateOrDateTime.optional(),
    /** A bare date includes that whole day (UTC). Default: now. */
    end_date: dateOrDateTime.optional(),
    /** The window's length before end_date (default 7: the weekly export); not with start_date. */
    days: z.number({ error: 'days must be a whole number' }).int('days must be a whole number').min(1, 'days goes from 1 to 3650').max(3650, 'days goes from 1 to 3650').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.days !== undefined && v.start_date !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'send days or start_date, not both (days counts back from end_date)' });
    }
  });
export type FinetuningExportRequest = z.infer<typeof FinetuningExportRequest>;

/** 002's FinetuningExportResponse: what was written where. */
export const FinetuningExportSummary = z.object({
  status: z.literal('success'),
  /** As sent, relative to DATA_DIR/exports/ (with the format's extension when it had none). */
  output_path: z.string(),
  total_samples: z.number().int(),
  /** Lines weighted 2.0 (a good answer or a correction). */
  positive_samples: z.number().int(),
  /** Lines weighted 0.5. */
  negative_samples: z.number().int(),
  /** The window, [start_date, end_date), ISO 8601 UTC. */
  start_date: z.string(),
  end_date: z.string(),
});
export type FinetuningExportSummary = z.infer<typeof FinetuningExportSummary>;

// ——— Shape 2, POST /api/v1/feedback/{conversation_id} (seed 004): shared/conversation-feedback.ts ———
