/**
 * Drop-in shape 2: POST /api/v1/feedback/{conversation_id}, for apps built against that API.
 * Same token, same store, same guards as /v1 (app.ts applies them to /api/v1/* too).
 */
import { createRoute } from '@hono/zod-openapi';
import {
  ConversationFeedbackInput,
  ConversationFeedbackParams,
  ConversationFeedbackResponse,
} from '../../shared/dropin-feedback.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { conversationTargetKey, conversationToInput } from '../dropin/conversation.ts';
import { aheadAfter, clockNow, createdNotAfter, stampAfter } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { programTextRedactor } from '../lib/program-text.ts';
import { createRouter } from '../lib/router.ts';
import { applyMutations } from '../store/feedback.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const submit = createRoute({
  method: 'post',
  path: '/api/v1/feedback/{conversation_id}',
  summary: 'Drop-in: rate a conversation 1–5 (posting again for the same conversation updates your rating)',
  description:
    'Body `{score: 1–5 integer, text?: ≤ 2000 chars, latency_ms?: ≥ 0, tokens_used?: integer ≥ 0, input?, output?}`. ' +
    'Input and output are kept redacted (unless the workspace turned that off) with SHA-256 hashes of the text as sent. ' +
    'Anything invalid is 422 with the field named.',
  tags: ['Drop-in feedback'],
  security: [{ bearer: [] }],
  request: { params: ConversationFeedbackParams, body: { required: true, content: json(ConversationFeedbackInput) } },
  responses: {
    200: { description: 'Recorded, after the commit', content: json(ConversationFeedbackResponse) },
    400: { description: 'Malformed JSON', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    422: { description: 'A field is invalid (named in the message and details)', content: json(ErrorBody) },
  },
});

export const conversationFeedbackRoutes = createRouter().openapi(submit, async (c) => {
  const { conversation_id: conversationId } = c.req.valid('param');
  const body = c.req.valid('json');
  const auth = c.get('auth');
  const db = c.get('store').db;
  const live = await db
    .selectFrom('feedback')
    .select(['id', 'created_at', 'updated_at'])
    .where('workspace_id', '=', auth.workspaceId)
    .where('rater_id', '=', auth.raterId)
    .where('target_key', '=', conversationTargetKey(conversationId))
    .where('deleted', '=', 0)
    .executeTakeFirst();
  const now = clockNow();
  const skew = c.get('maxClockSkewSeconds');
  // A re-post must move updatedAt forward even within the same millisecond (last writer wins),
  // but does not follow a stored time from a clock far ahead (lib/clock.ts, ADR 0026).
  const updatedAt = stampAfter(live?.updated_at, now, skew);
  const input = conversationToInput(
    conversationId,
    body,
    { id: live?.id ?? uuidv7(now.getTime()), createdAt: live ? createdNotAfter(live.created_at, updatedAt) : updatedAt, updatedAt },
    await programTextRedactor(db, auth.workspaceId),
  );
  const [result] = await applyMutations(db, { ...auth, tokenId: auth.id, clientId: null, aheadAfter: aheadAfter(now, skew) }, [
    { id: input.id, op: 'upsert', updatedAt, feedback: input },
  ], now);
  if (result!.status === 'rejected' || result!.status === 'stale') {
    throw new ApiError(422, 'validation_failed', result!.error ?? `the feedback was ${result!.status}`);
  }
  return c.json(
    { status: 'success' as const, message: 'Feedback recorded', conversation_id: conversationId, feedback_score: body.score },
    200,
  );
});
