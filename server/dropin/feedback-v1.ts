/**
 * Drop-in shape 1 ({query, response, model, rating: 1|-1, …}) mapped onto the one feedback record
 * and back. A record made this way carries `target.context.source = "feedback-api"`, which is how
 * GET /v1/feedback/{id} knows to answer in this shape (see docs/decisions, drop-in feedback APIs).
 */
import { createHash } from 'node:crypto';
import {
  DROPIN_SOURCE,
  type DropInFeedback,
  type DropInFeedbackInput,
  type DropInFeedbackUpdate,
  type DropInRating,
} from '../../shared/dropin-feedback.ts';
import type { Feedback, FeedbackInput, Rating } from '../../shared/schemas.ts';
import type { TextRedactor } from '../lib/program-text.ts';

/** Drop-in records get a target key of their own: each POST is one record, as the apps expect. */
export const DROPIN_KEY_PREFIX = 'api:';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function thumbOf(rating: DropInRating): Rating {
  return { thumb: rating === 1 ? 'up' : 'down' };
}

export function dropInToInput(body: DropInFeedbackInput, id: string, now: Date, redact: TextRedactor): FeedbackInput {
  const at = now.toISOString();
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
    createdAt: at,
    updatedAt: at,
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
  const { receivedAt: _r, raterId: _u, workspaceId: _w, clientId: _c, deleted: _d, ...input } = current;
  const target = { ...input.target };
  if (update.metadata !== undefined) target.context = { ...(target.context ?? {}), metadata: redact.json(update.metadata) };
  return {
    ...input,
    target,
    rating: update.rating !== undefined ? thumbOf(update.rating) : input.rating,
    updatedAt,
  };
}
