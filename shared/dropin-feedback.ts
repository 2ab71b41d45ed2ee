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

// ——— Shape 1: POST /v1/feedback {query, response, model, rating: 1|-1, …} ———

/** Marks a record created through shape 1 (in `target.context.source`): its GET answers in that shape. */
export const DROPIN_SOURCE = 'feedback-api';

export const DropInRating = z.union([z.literal(1), z.literal(-1)], { error: 'rating must be 1 (good) or -1 (bad)' });
export type DropInRating = z.infer<typeof DropInRating>;

export const DropInFeedbackInput = z.object({
  query: longText.min(1, 'must not be empty'),
  response: longText.min(1, 'must not be empty'),
  model: shortText.min(1, 'must not be empty'),
  rating: DropInRating,
  intent: shortText.optional(),
  project: shortText.optional(),
  /** The app's end user (not a Groundtruth rater; the token decides that). */
  user_id: shortText.optional(),
  session_id: shortText.optional(),
  memory_used: z.union([z.boolean(), z.array(z.string().max(LIMITS.shortTextMaxChars)).max(100)]).optional(),
  tools_called: z.array(z.union([z.string().max(LIMITS.shortTextMaxChars), z.record(z.string(), z.unknown())])).max(100).optional(),
  metadata: jsonObject.optional(),
});
export type DropInFeedbackInput = z.infer<typeof DropInFeedbackInput>;

export const DropInCreated = z.object({ status: z.literal('success'), feedback_id: z.string() });

/** PUT /v1/feedback/{id}: only the rating and the metadata change. */
export const DropInFeedbackUpdate = z
  .strictObject(
    { rating: DropInRating.optional(), metadata: jsonObject.optional() },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'only rating and metadata can be changed' : undefined) },
  )
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

export const AccuracyQuery = z.object({
  model: z.string().max(LIMITS.shortTextMaxChars).optional(),
  intent: z.string().max(LIMITS.shortTextMaxChars).optional(),
  project: z.string().max(LIMITS.shortTextMaxChars).optional(),
});

/**
 * Share of thumbs up among thumbs (a drop-in rating of 1 is a thumb up, -1 a thumb down), with its
 * Wilson 95% interval. Ratings without a thumb (stars or a label only) are not counted.
 */
export const Accuracy = z.object({
  model: z.string().nullable(),
  intent: z.string().nullable(),
  project: z.string().nullable(),
  total: z.number().int(),
  positive: z.number().int(),
  negative: z.number().int(),
  /** positive / total; null when there is nothing to count. */
  accuracy: z.number().nullable(),
  /** Wilson score interval (95%) of the accuracy; null when total is 0. */
  interval: Interval.nullable(),
  /** Fewer than 10 thumbs: the interval is too wide to rank on. */
  thin: z.boolean(),
});
export type Accuracy = z.infer<typeof Accuracy>;

export const StatsQuery = z.object({
  days: z.coerce.number().int('days must be a whole number').min(1, 'days goes from 1 to 365').max(365, 'days goes from 1 to 365').default(7),
});

const Counts = { total: z.number().int(), positive: z.number().int(), negative: z.number().int(), accuracy: z.number().nullable() };
export const Stats = z.object({
  days: z.number().int(),
  since: z.string(),
  until: z.string(),
  ...Counts,
  by_model: z.array(z.object({ model: z.string().nullable(), ...Counts })),
  daily: z.array(z.object({ date: z.string(), ...Counts })),
});
export type Stats = z.infer<typeof Stats>;

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (2026-02-01) or an ISO 8601 date-time',
});
export const FinetuningExportRequest = z.object({
  /** Inclusive; a bare date means its start (UTC). Default: 7 days before end_date. */
  start_date: dateOrDateTime.optional(),
  /** A bare date includes that whole day (UTC). Default: now. */
  end_date: dateOrDateTime.optional(),
});
export type FinetuningExportRequest = z.infer<typeof FinetuningExportRequest>;

/** One line of the weighted fine-tuning JSONL. */
export const FinetuningLine = z.object({
  messages: z.array(z.object({ role: z.string(), content: z.string() })),
  weight: z.union([z.literal(2.0), z.literal(0.5)]),
  metadata: z.record(z.string(), z.unknown()),
});
export type FinetuningLine = z.infer<typeof FinetuningLine>;

// ——— Shape 2: POST /api/v1/feedback/{conversation_id} {score 1–5, text?, …} ———

export const ConversationFeedbackInput = z.object({
  score: z
    .number({ error: 'score must be a whole number from 1 to 5' })
    .int('score must be a whole number from 1 to 5')
    .min(1, 'score must be a whole number from 1 to 5')
    .max(5, 'score must be a whole number from 1 to 5'),
  text: z.string().max(LIMITS.commentMaxChars, `at most ${LIMITS.commentMaxChars} characters`).optional(),
  latency_ms: z.number().min(0, 'latency_ms must be 0 or more').optional(),
  tokens_used: z.number().int('tokens_used must be a whole number').min(0, 'tokens_used must be 0 or more').optional(),
  input: longText.optional(),
  output: longText.optional(),
});
export type ConversationFeedbackInput = z.infer<typeof ConversationFeedbackInput>;

export const ConversationFeedbackParams = z.object({
  conversation_id: z.string().min(1).max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`),
});

export const ConversationFeedbackResponse = z.object({
  status: z.literal('success'),
  message: z.string(),
  conversation_id: z.string(),
  feedback_score: z.number().int(),
});
export type ConversationFeedbackResponse = z.infer<typeof ConversationFeedbackResponse>;
