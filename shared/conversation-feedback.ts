/**
 * Drop-in shape 2, FilAgent's feedback API (seed 004): `POST /api/v1/feedback/{conversation_id}`
 * logs one interaction, `GET /api/v1/feedback/{conversation_id}` answers that conversation's
 * interaction logs and stats in the document's names (`interaction_logs` columns, `get_feedback_stats`
 * keys). Mapped onto the one feedback record in server/dropin/conversation.ts; decisions in
 * docs/decisions/0006 ("Shape 2").
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

const SCORE_MESSAGE = 'score must be a whole number from 1 to 5';
const longText = z.string().max(LIMITS.textMaxChars, `at most ${LIMITS.textMaxChars} characters`);
const sha256Hex = (field: string) =>
  z.string({ error: `${field} must be a SHA-256 hash as 64 lowercase hex characters` }).regex(/^[0-9a-f]{64}$/, `${field} must be a SHA-256 hash as 64 lowercase hex characters`);

/**
 * The document's body `{score, text?, latency_ms?, tokens_used?}`, plus what its Python
 * `add_interaction_log` takes besides (`input_hash`, `output_hash`, `metadata`) and the text itself
 * (`input`, `output`) so the server computes the hashes. Strict: any other field is 422, named.
 */
export const ConversationFeedbackInput = z.strictObject({
  score: z.number({ error: SCORE_MESSAGE }).int(SCORE_MESSAGE).min(1, SCORE_MESSAGE).max(5, SCORE_MESSAGE),
  text: z.string({ error: 'text must be a string' }).max(LIMITS.commentMaxChars, `at most ${LIMITS.commentMaxChars} characters`).optional(),
  latency_ms: z.number({ error: 'latency_ms must be a number' }).min(0, 'latency_ms must be 0 or more').optional(),
  tokens_used: z
    .number({ error: 'tokens_used must be a whole number' })
    .int('tokens_used must be a whole number')
    .min(0, 'tokens_used must be 0 or more')
    .optional(),
  /** The user's message; kept (redacted unless the workspace turned that off), its SHA-256 becomes `input_hash`. */
  input: longText.optional(),
  /** The assistant's answer; kept likewise, its SHA-256 becomes `output_hash`. */
  output: longText.optional(),
  /** A hash computed by the client (never sent text); with `input` it must be that text's hash. */
  input_hash: sha256Hex('input_hash').optional(),
  output_hash: sha256Hex('output_hash').optional(),
  /** Free-form JSON (e.g. `{"source": "web_ui"}`), returned in the log's `metadata` beside `submitted_at`. */
  metadata: z
    .record(z.string(), z.unknown(), { error: 'metadata must be a JSON object' })
    .refine((v) => JSON.stringify(v).length <= LIMITS.contextMaxBytes / 2, `must serialize to at most ${LIMITS.contextMaxBytes / 2} bytes`)
    .optional(),
});
export type ConversationFeedbackInput = z.infer<typeof ConversationFeedbackInput>;

export const ConversationFeedbackParams = z.object({
  conversation_id: z
    .string()
    .min(1, 'must not be empty')
    .max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`)
    .refine((s) => !s.includes('\u0000'), 'must not contain the NUL character (U+0000)'),
});

/** How long a client's `Idempotency-Key` is remembered (Stripe keeps keys 24 hours). */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

export const ConversationFeedbackHeaders = z.object({
  /**
   * A client's retry of the same post with the same key is one row, not two (answered again with
   * `Idempotent-Replayed: true`); the same key with another body is 422 `idempotency_key_reused`.
   */
  'idempotency-key': z
    .string()
    .min(1, 'must not be empty')
    .max(255, 'at most 255 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (e.g. a UUID)')
    .optional(),
});

/** The document's answer, word for word. */
export const CONVERSATION_FEEDBACK_MESSAGE = 'Feedback received and will be processed';

export const ConversationFeedbackResponse = z.object({
  status: z.literal('success'),
  message: z.literal(CONVERSATION_FEEDBACK_MESSAGE),
  conversation_id: z.string(),
  feedback_score: z.number().int(),
});
export type ConversationFeedbackResponse = z.infer<typeof ConversationFeedbackResponse>;

export const CONVERSATION_LOGS_DEFAULT_LIMIT = 100;
export const CONVERSATION_LOGS_MAX_LIMIT = 1000;

export const ConversationLogsQuery = z.object({
  /** Newest first, as `get_interaction_logs` (default 100). `stats` always cover the whole conversation. */
  limit: z.coerce
    .number({ error: 'limit must be a whole number' })
    .int('limit must be a whole number')
    .min(1, `limit goes from 1 to ${CONVERSATION_LOGS_MAX_LIMIT}`)
    .max(CONVERSATION_LOGS_MAX_LIMIT, `limit goes from 1 to ${CONVERSATION_LOGS_MAX_LIMIT}`)
    .default(CONVERSATION_LOGS_DEFAULT_LIMIT),
});

/** One row of the document's `interaction_logs` table, column for column. */
export const InteractionLog = z.object({
  /** The record's id (a UUID: Groundtruth ids are not auto-increment integers). */
  id: z.string(),
  conversation_id: z.string(),
  /** SHA-256 hex of the user input, or null when neither it nor its hash was sent. */
  input_hash: z.string().nullable(),
  output_hash: z.string().nullable(),
  user_feedback_score: z.number().int().nullable(),
  user_feedback_text: z.string().nullable(),
  latency_ms: z.number().nullable(),
  tokens_used: z.number().int().nullable(),
  /** When the server received the post (ISO 8601 UTC). */
  created_at: z.string(),
  /** `{submitted_at, …metadata sent}` (a JSON object, as `get_interaction_logs` returns it). */
  metadata: z.record(z.string(), z.unknown()).nullable(),
});
export type InteractionLog = z.infer<typeof InteractionLog>;

/** `get_feedback_stats(conversation_id=…)`: averages are null when nothing carries the value. */
export const ConversationStats = z.object({
  total_count: z.number().int(),
  avg_score: z.number().nullable(),
  score_1: z.number().int(),
  score_2: z.number().int(),
  score_3: z.number().int(),
  score_4: z.number().int(),
  score_5: z.number().int(),
  avg_latency_ms: z.number().nullable(),
  avg_tokens: z.number().nullable(),
});
export type ConversationStats = z.infer<typeof ConversationStats>;

export const ConversationLogs = z.object({
  conversation_id: z.string(),
  logs: z.array(InteractionLog),
  stats: ConversationStats,
});
export type ConversationLogs = z.infer<typeof ConversationLogs>;

/** FastAPI's validation error item, which the document's clients parse (`detail` on 422). */
export const FastApiErrorItem = z.object({
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  type: z.string(),
});

/**
 * An error on the drop-in routes: the house `error` object, plus FastAPI's `detail` — a list of
 * `{loc, msg, type}` on 422, the message as a string otherwise (DESIGN, "Decisions" → Errors).
 */
export const DropInErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  detail: z.union([z.string(), z.array(FastApiErrorItem)]),
});
