/**
 * Drop-in shape 2, FilAgent's feedback API (seed 004), for apps built against it:
 * `POST /api/v1/feedback/{conversation_id}` logs one interaction (one new record each time),
 * `GET /api/v1/feedback/{conversation_id}` answers the conversation's logs and stats in the
 * document's names. Same token, store and guards as /v1 (app.ts applies them to /api/v1/* too);
 * errors also carry FastAPI's `detail` (lib/fastapi-detail.ts). Decisions: docs/decisions/0006.
 */
import { createHash } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import {
  CONVERSATION_FEEDBACK_MESSAGE,
  ConversationFeedbackHeaders,
  ConversationFeedbackInput,
  ConversationFeedbackParams,
  ConversationFeedbackResponse,
  ConversationLogs,
  ConversationLogsQuery,
  DropInErrorBody,
  IDEMPOTENCY_WINDOW_HOURS,
} from '../../shared/conversation-feedback.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { MutationResult } from '../../shared/schemas.ts';
import { interactionToInput } from '../dropin/conversation.ts';
import { conversationIsKnown, conversationLogs, conversationStats } from '../dropin/conversation-logs.ts';
import { aheadAfter, clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { FastApiError, fastApiHook } from '../lib/fastapi-detail.ts';
import { keepingText, redactingText } from '../lib/program-text.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { applyMutations } from '../store/feedback.ts';
import { claimIdempotencyKey, type Claim } from '../store/idempotency-keys.ts';
import { joinTransaction } from '../store/join-transaction.ts';
import { getSettings } from '../store/settings.ts';
import { retryOnConflict } from '../store/write-locks.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Malformed JSON or an unknown query parameter (`detail`: the message)', content: json(DropInErrorBody) },
  401: { description: 'No or bad token', content: json(DropInErrorBody) },
  404: { description: '"Conversation not found": the workspace has knownConversationsOnly on and nothing names this conversation', content: json(DropInErrorBody) },
  422: { description: 'A field is invalid or unknown (named in `error` and in `detail[].loc`)', content: json(DropInErrorBody) },
} as const;

const submit = createRoute({
  method: 'post',
  path: '/api/v1/feedback/{conversation_id}',
  summary: 'Drop-in (FilAgent): log one interaction with its 1–5 score — every post is a new row',
  description:
    'Body `{score: 1–5 integer, text?: ≤ 2000 chars, latency_ms?: ≥ 0, tokens_used?: integer ≥ 0, input?, output?, input_hash?, output_hash?, metadata?}`; ' +
    'any other field is 422. Each post is its own record (never a rewrite of an earlier one). The server hashes `input` and `output` ' +
    '(SHA-256 of the text as sent) and keeps the text redacted unless the workspace turned that off. ' +
    'With `Idempotency-Key`, a retry of the same post is answered again without a second row (`Idempotent-Replayed: true`); ' +
    'the same key with another request is 422 `idempotency_key_reused`. Keys are remembered 24 hours. ' +
    'Answered after the commit: "will be processed" is the document\'s wording, the record is already stored.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: {
    params: ConversationFeedbackParams,
    headers: ConversationFeedbackHeaders,
    body: { required: true, content: json(ConversationFeedbackInput) },
  },
  responses: {
    200: { description: 'Stored, after the commit (or a replay of the same post under the same Idempotency-Key)', content: json(ConversationFeedbackResponse) },
    ...errors,
  },
});

const read = createRoute({
  method: 'get',
  path: '/api/v1/feedback/{conversation_id}',
  summary: "Drop-in (FilAgent): a conversation's interaction logs and stats (get_interaction_logs + get_feedback_stats)",
  description:
    '`{conversation_id, logs: [interaction_logs rows, newest first, at most `limit` (default 100)], stats: {total_count, avg_score, ' +
    'score_1…score_5, avg_latency_ms, avg_tokens}}`; stats cover the whole conversation. A rater token sees its own logs, analysts and admins everyone\'s.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(ConversationLogsQuery.shape))] as const,
  request: { params: ConversationFeedbackParams, query: ConversationLogsQuery },
  responses: { 200: { description: 'Logs and stats', content: json(ConversationLogs) }, ...errors },
});

/** Keys sorted at every level, so the same request hashes the same whatever order its JSON came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function conversationNotFound(conversationId: string): ApiError {
  // The message is the document's (its clients read `detail`); the details say why.
  return new ApiError(404, 'conversation_not_found', 'Conversation not found', {
    conversation_id: conversationId,
    why: 'knownConversationsOnly is on and no item (context.conversation_id) or feedback of this workspace names this conversation',
  });
}

function refused(result: MutationResult | undefined): ApiError {
  return new ApiError(422, 'validation_failed', result?.error ?? `the feedback was ${result?.status ?? 'not stored'}`);
}

export const conversationFeedbackRoutes = createRouter()
  .openapi(
    submit,
    async (c) => {
      const { conversation_id: conversationId } = c.req.valid('param');
      const body = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const auth = c.get('auth');
      const db = c.get('store').db;
      const settings = await getSettings(db, auth.workspaceId);
      if (settings.knownConversationsOnly && !(await conversationIsKnown(db, auth.workspaceId, conversationId))) {
        throw conversationNotFound(conversationId);
      }
      const now = clockNow();
      const at = now.toISOString();
      const id = uuidv7(now.getTime());
      const feedback = interactionToInput(conversationId, body, { id, at }, settings.redactProgramText ? redactingText : keepingText);
      const actor = { ...auth, tokenId: auth.id, clientId: null, channel: 'dropin' as const, aheadAfter: aheadAfter(now, c.get('maxClockSkewSeconds')) };
      const mutation = { id, op: 'upsert', updatedAt: at, feedback };
      const answer = { status: 'success', message: CONVERSATION_FEEDBACK_MESSAGE, conversation_id: conversationId, feedback_score: body.score } as const;

      if (key === undefined) {
        const [result] = await applyMutations(db, actor, [mutation], now);
        if (result?.status !== 'applied') throw refused(result);
        return c.json(answer, 200);
      }

      // The key is claimed in the transaction that writes the record: both or neither.
      const requestHash = createHash('sha256').update(canonical({ conversation_id: conversationId, body })).digest('hex');
      let claim = { status: 'claimed' } as Claim;
      await retryOnConflict(() =>
        db.transaction().execute(async (trx) => {
          claim = await claimIdempotencyKey(trx, {
            workspaceId: auth.workspaceId, raterId: auth.raterId, key, requestHash, feedbackId: id, now, windowHours: IDEMPOTENCY_WINDOW_HOURS,
          });
          if (claim.status !== 'claimed') return;
          const [result] = await applyMutations(joinTransaction(trx), actor, [mutation], now);
          if (result?.status !== 'applied') throw refused(result);
        }),
      );
      if (claim.status === 'reused') {
        // As the IETF draft on Idempotency-Key advises for a reused key with another payload: 422.
        const msg = `This Idempotency-Key was used with another request (record ${claim.feedbackId}); send a new key for a new post.`;
        throw new FastApiError(422, 'idempotency_key_reused', msg, [{ loc: ['header', 'idempotency-key'], msg, type: 'idempotency_key_reused' }], {
          feedback_id: claim.feedbackId,
        });
      }
      if (claim.status === 'replay') c.header('Idempotent-Replayed', 'true');
      return c.json(answer, 200);
    },
    fastApiHook(ConversationFeedbackInput),
  )
  .openapi(
    read,
    async (c) => {
      const { conversation_id: conversationId } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      const auth = c.get('auth');
      const db = c.get('store').db;
      const settings = await getSettings(db, auth.workspaceId);
      if (settings.knownConversationsOnly && !(await conversationIsKnown(db, auth.workspaceId, conversationId))) {
        throw conversationNotFound(conversationId);
      }
      const scope = auth.role === 'rater' ? { workspaceId: auth.workspaceId, raterId: auth.raterId } : { workspaceId: auth.workspaceId };
      const logs = await conversationLogs(db, scope, conversationId, limit);
      const stats = await conversationStats(db, scope, conversationId);
      return c.json({ conversation_id: conversationId, logs, stats }, 200);
    },
    fastApiHook(ConversationFeedbackInput),
  );
