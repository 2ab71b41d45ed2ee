/**
 * Drop-in shape 1 ({query, response, model, rating: 1|-1, …}) mapped onto the one feedback record
 * and back. A record made this way carries `target.context.source = "feedback-api"`, which is how
 * GET /v1/feedback/{id} knows to answer in this shape (see docs/decisions, drop-in feedback APIs).
 */
import { createHash } from 'node:crypto';
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { ZodError, ZodType } from 'zod';
import {
  DropInFeedbackInput,
  DROPIN_SOURCE,
  type DropInFeedback,
  type DropInFeedbackUpdate,
  type DropInRating,
} from '../../shared/dropin-feedback.ts';
import { feedbackToInput, type Feedback, type FeedbackInput, type Rating } from '../../shared/schemas.ts';
import { errorBody } from '../lib/errors.ts';
import { fastApiDetail, fastApiValidationFailure } from '../lib/fastapi-detail.ts';
import { unknownKeysError } from '../lib/unknown-keys.ts';
import type { TextRedactor } from '../lib/program-text.ts';

/** Drop-in records get a target key of their own: each POST is one record, as the apps expect. */
export const DROPIN_KEY_PREFIX = 'api:';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function thumbOf(rating: DropInRating): Rating {
  return { thumb: rating === 1 ? 'up' : 'down' };
}

/** Which of the two bodies POST /v1/feedback takes the sender meant: the drop-in one has no id and no target. */
export function isDropInBody(body: unknown): boolean {
  return (
    !!body &&
    typeof body === 'object' &&
    !('target' in body) &&
    !('id' in body) &&
    ('query' in body || 'response' in body || ('rating' in body && typeof (body as { rating: unknown }).rating !== 'object'))
  );
}

/**
 * Is this request one of 002's (for FastAPI's `detail` on its errors, lib/fastapi-detail.ts)? Every
 * route under /v1/feedback/ is (readouts, and GET/PUT/DELETE of one record, whose shape the
 * request cannot tell); the list is not; a POST is unless its body, once read, is a native record.
 * A body the route never read (a 401, 413 or 415 came first) is not read here.
 */
export async function isDropInRequest(c: Context): Promise<boolean> {
  const p = c.req.path.replace(/\/+$/, '');
  if (p !== '/v1/feedback') return p.startsWith('/v1/feedback/');
  if (c.req.method !== 'POST') return false;
  if (Object.keys(c.req.bodyCache).length === 0) return true;
  try {
    return isDropInBody(await c.req.json());
  } catch {
    return true;
  }
}

/**
 * FastAPI's `detail` on the error answers of 002's requests (isDropInRequest), mounted on
 * /v1/feedback/* before the guards so that their 401/413/415/429 have it too.
 */
export const dropInErrorDetail: MiddlewareHandler = async function dropInErrorDetail(c, next) {
  await next();
  // Asked after the route ran, so a body it read tells the shape; the answer is then reworked.
  if (await isDropInRequest(c)) await fastApiDetail(c, async () => {});
};

interface HookResult {
  success: boolean;
  error?: unknown;
}

/**
 * POST /v1/feedback's validation hook: a drop-in body's errors in its shape (unknown fields as 422
 * `unknown_field`) with FastAPI's `detail`; a native body's as `native` reports them (an unknown
 * field of `nativeSchema` first, as 422 `unknown_field`).
 */
export function dropInBodyHook(
  native: <E extends Env, P extends string>(result: HookResult, c: Context<E, P>) => unknown,
  nativeSchema?: ZodType,
) {
  // Generic in the route's env and path, as explainUnionFailure: a plain Context would widen the route's path (ADR 0032).
  return function dropInBodyHook<E extends Env, P extends string>(result: HookResult, c: Context<E, P>) {
    // zod-validator passes the raw value as `data` on failure too (not in its types).
    const body = (result as { data?: unknown }).data;
    if (result.success) return undefined;
    if (!isDropInBody(body)) {
      // A native body's unknown field is named first (once its schema is strict), before missing ones.
      const parsed = nativeSchema?.safeParse(body);
      const unknown = parsed && !parsed.success ? unknownKeysError(nativeSchema!, parsed.error) : undefined;
      if (unknown) return c.json(errorBody(unknown.code, unknown.message, unknown.details), 422) as never;
      return native(result, c) as never;
    }
    // The union said "Invalid input": parse again with the drop-in shape for its own reasons.
    const again = DropInFeedbackInput.safeParse(body);
    return fastApiValidationFailure(c, DropInFeedbackInput, 'json', (again.success ? result.error : again.error) as ZodError, body) as never;
  };
}

export function dropInToInput(body: DropInFeedbackInput, id: string, now: Date, redact: TextRedactor): FeedbackInput {
  const at = now.toISOString();
  const createdAt = body.created_at ? new Date(body.created_at).toISOString() : at;
  const context: Record<string, unknown> = { source: DROPIN_SOURCE };
  if (body.user_id !== undefined) context.user_id = body.user_id;
  if (body.session_id !== undefined) context.session_id = body.session_id;
  if (body.memory_used !== undefined) context.memory_used = body.memory_used;
  if (body.tools_called !== undefined) context.tools_called = redact.json(body.tools_called);
  if (body.metadata !== undefined) context.metadata = redact.json(body.metadata);
  return {
    id,
    target: {
      kind: 'chat_response',
      key: `${DROPIN_KEY_PREFIX}${id}`,
      site: 'api',
      model: body.model,
      ...(body.intent !== undefined ? { intent: body.intent } : {}),
      ...(body.project !== undefined ? { project: body.project } : {}),
      ...(body.session_id !== undefined ? { conversationId: body.session_id } : {}),
      prompt: redact.text(body.query),
      output: redact.text(body.response),
      // Of the text as sent, before redaction: lets a caller match records to its own logs.
      promptHash: sha256(body.query),
      outputHash: sha256(body.response),
      context,
    },
    rating: thumbOf(body.rating),
    createdAt,
    // Never before the creation (a backfilled created_at may be ahead of now, within the skew).
    updatedAt: createdAt > at ? createdAt : at,
  };
}

export function isDropInRecord(f: Pick<Feedback, 'target'>): boolean {
  return f.target.context?.source === DROPIN_SOURCE;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Any record in shape 1. A record without a thumb (stars or a label only) has `rating: null`. */
export function toDropIn(f: Feedback): DropInFeedback {
  const ctx = f.target.context ?? {};
  const metadata = ctx.metadata && typeof ctx.metadata === 'object' && !Array.isArray(ctx.metadata) ? (ctx.metadata as Record<string, unknown>) : {};
  return {
    feedback_id: f.id,
    query: f.target.prompt ?? null,
    response: f.target.output ?? null,
    model: f.target.model ?? null,
    rating: f.rating.thumb === 'up' ? 1 : f.rating.thumb === 'down' ? -1 : null,
    intent: f.target.intent ?? null,
    project: f.target.project ?? null,
    user_id: str(ctx.user_id),
    session_id: str(ctx.session_id) ?? f.target.conversationId ?? null,
    ...(ctx.memory_used !== undefined ? { memory_used: ctx.memory_used } : {}),
    ...(ctx.tools_called !== undefined ? { tools_called: ctx.tools_called } : {}),
    metadata,
    created_at: f.createdAt,
    updated_at: f.updatedAt,
  };
}

/** The record after a drop-in PUT: the rating becomes that thumb, the metadata is replaced. */
export function applyDropInUpdate(current: Feedback, update: DropInFeedbackUpdate, updatedAt: string, redact: TextRedactor): FeedbackInput {
  const input = feedbackToInput(current);
  const target = { ...input.target };
  if (update.metadata !== undefined) target.context = { ...(target.context ?? {}), metadata: redact.json(update.metadata) };
  return {
    ...input,
    target,
    rating: update.rating !== undefined ? thumbOf(update.rating) : input.rating,
    updatedAt,
  };
}
