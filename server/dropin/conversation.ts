/**
 * Drop-in shape 2 (POST /api/v1/feedback/{conversation_id} {score, text?, latency_ms?, tokens_used?,
 * input?, output?}) mapped onto the feedback record. One live record per rater and conversation:
 * posting again for the same conversation updates it (DESIGN: a re-vote updates, never duplicates).
 */
import { createHash } from 'node:crypto';
import type { ConversationFeedbackInput } from '../../shared/dropin-feedback.ts';
import type { FeedbackInput } from '../../shared/schemas.ts';
import type { TextRedactor } from '../lib/program-text.ts';

export const CONVERSATION_KEY_PREFIX = 'conversation:';
export const CONVERSATION_SOURCE = 'conversation-api';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function conversationTargetKey(conversationId: string): string {
  return `${CONVERSATION_KEY_PREFIX}${conversationId}`;
}

export function conversationToInput(
  conversationId: string,
  body: ConversationFeedbackInput,
  ids: { id: string; createdAt: string; updatedAt: string },
  redact: TextRedactor,
): FeedbackInput {
  const context: Record<string, unknown> = { source: CONVERSATION_SOURCE };
  if (body.latency_ms !== undefined) context.latency_ms = body.latency_ms;
  if (body.tokens_used !== undefined) context.tokens_used = body.tokens_used;
  return {
    id: ids.id,
    target: {
      kind: 'chat_response',
      key: conversationTargetKey(conversationId),
      site: 'api',
      conversationId,
      ...(body.input !== undefined ? { prompt: redact.text(body.input), promptHash: sha256(body.input) } : {}),
      ...(body.output !== undefined ? { output: redact.text(body.output), outputHash: sha256(body.output) } : {}),
      context,
    },
    rating: { stars: body.score },
    ...(body.text !== undefined ? { comment: redact.text(body.text) } : {}),
    createdAt: ids.createdAt,
    updatedAt: ids.updatedAt,
  };
}
