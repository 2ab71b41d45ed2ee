/**
 * Drop-in shape 2 (FilAgent, seed 004): one `POST /api/v1/feedback/{conversation_id}` is one row of
 * its `interaction_logs`, mapped onto the feedback record — a new record every time (its own target
 * key), never a rewrite of the conversation's last one. The way back, record → log row, is here too.
 *
 * | interaction_logs     | record                                                            |
 * |----------------------|-------------------------------------------------------------------|
 * | id                   | id (a UUID v7)                                                    |
 * | conversation_id      | target.conversationId; target.key = conversation:<id>#<record id> |
 * | input_hash           | target.promptHash = SHA-256 of `input` as sent, or `input_hash`   |
 * | output_hash          | target.outputHash = SHA-256 of `output` as sent, or `output_hash` |
 * | user_feedback_score  | rating.stars                                                      |
 * | user_feedback_text   | comment (redacted unless the workspace turned that off)           |
 * | latency_ms           | target.context.latency_ms                                         |
 * | tokens_used          | target.context.tokens_used                                        |
 * | created_at           | createdAt (the server's clock when the post arrived)              |
 * | metadata             | {submitted_at: createdAt, …target.context.metadata}               |
 */
import { createHash } from 'node:crypto';
import type { ConversationFeedbackInput, InteractionLog } from '../../shared/conversation-feedback.ts';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { ApiError } from '../lib/errors.ts';
import type { TextRedactor } from '../lib/program-text.ts';

export const CONVERSATION_KEY_PREFIX = 'conversation:';
/** In `target.context.source`: the record came through this route. */
export const CONVERSATION_SOURCE = 'conversation-api';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Each interaction is its own target (DESIGN: programs that log one row per interaction). */
export function interactionTargetKey(conversationId: string, recordId: string): string {
  return `${CONVERSATION_KEY_PREFIX}${conversationId}#${recordId}`;
}

/**
 * The hash the row keeps: of the text as sent when there is text (a hash sent with it must be the
 * same), else the client's own hash, else none.
 */
function hashOf(text: string | undefined, given: string | undefined, field: 'input_hash' | 'output_hash', textField: string): string | undefined {
  if (text === undefined) return given;
  const computed = sha256(text);
  if (given !== undefined && given !== computed) {
    const message = `${field} is not the SHA-256 of ${textField}; send one or the other, or the hash of that text`;
    throw new ApiError(422, 'validation_failed', `${field}: ${message}`, [{ path: field, message }]);
  }
  return computed;
}

export function interactionToInput(
  conversationId: string,
  body: ConversationFeedbackInput,
  ids: { id: string; at: string },
  redact: TextRedactor,
): FeedbackInput {
  const promptHash = hashOf(body.input, body.input_hash, 'input_hash', 'input');
  const outputHash = hashOf(body.output, body.output_hash, 'output_hash', 'output');
  const context: Record<string, unknown> = { source: CONVERSATION_SOURCE };
  if (body.latency_ms !== undefined) context.latency_ms = body.latency_ms;
  if (body.tokens_used !== undefined) context.tokens_used = body.tokens_used;
  if (body.metadata !== undefined) context.metadata = redact.json(body.metadata);
  return {
    id: ids.id,
    target: {
      kind: 'chat_response',
      key: interactionTargetKey(conversationId, ids.id),
      site: 'api',
      conversationId,
      ...(body.input !== undefined ? { prompt: redact.text(body.input) } : {}),
      ...(promptHash !== undefined ? { promptHash } : {}),
      ...(body.output !== undefined ? { output: redact.text(body.output) } : {}),
      ...(outputHash !== undefined ? { outputHash } : {}),
      context,
    },
    rating: { stars: body.score },
    ...(body.text !== undefined ? { comment: redact.text(body.text) } : {}),
    createdAt: ids.at,
    updatedAt: ids.at,
  };
}

interface StoredRecord {
  comment?: string;
  target?: { promptHash?: string; outputHash?: string; context?: Record<string, unknown> };
}

const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A stored record as a row of the document's `interaction_logs`. */
export function interactionLogOf(row: { id: string; conversation_id: string | null; stars: number | null; created_at: string; record: string | null }): InteractionLog {
  let record: StoredRecord = {};
  try {
    record = row.record ? (JSON.parse(row.record) as StoredRecord) : {};
  } catch {
    /* an unreadable record still answers with its columns */
  }
  const context = record.target?.context ?? {};
  const extra = context.metadata && typeof context.metadata === 'object' && !Array.isArray(context.metadata) ? (context.metadata as Record<string, unknown>) : {};
  const tokens = numberOrNull(context.tokens_used);
  return {
    id: row.id,
    conversation_id: row.conversation_id ?? '',
    input_hash: record.target?.promptHash ?? null,
    output_hash: record.target?.outputHash ?? null,
    user_feedback_score: row.stars,
    user_feedback_text: record.comment ?? null,
    latency_ms: numberOrNull(context.latency_ms),
    tokens_used: tokens !== null && Number.isInteger(tokens) ? tokens : null,
    created_at: row.created_at,
    metadata: { submitted_at: row.created_at, ...extra },
  };
}
