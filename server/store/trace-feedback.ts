/**
 * The feedback record a `feedback.*` trace event describes (seed 001), as a mutation for the
 * store's one write path (applyMutations). Pure: the caller looks up the rated step's text.
 *
 * - kind from the event type (feedback.hypothesis → hypothesis; feedback.submitted → data.target_type);
 * - key `trace:` + data.target_id (feedback.investigation without one: the investigation id);
 * - rating from data.rating (1 | -1) or data.helpful (a thumb) and data.score (stars 1–5);
 * - rater: the actor (see traceRaterId); its id is derived from rater + key + criterion, so the same
 *   event sent again is `unchanged` and a later one updates the same record.
 */
import { createHash } from 'node:crypto';
import { FeedbackInput, type TargetKind } from '../../shared/schemas.ts';
import type { TraceEventInput } from '../../shared/trace-events.ts';
import {
  FeedbackEventData,
  feedbackEventKind,
  feedbackEventRating,
  traceTargetKey,
  type FeedbackEventType,
} from '../../shared/trace-feedback.ts';
import { contextTextOf } from '../../shared/trace-steps.ts';
import { LIMITS } from '../../shared/limits.ts';

/**
 * Whose vote a feedback event is. The token's own rater when the event names no actor, or names
 * that rater; otherwise `<token's rater>/<actorId>`: one program token carries the votes of many
 * of its users, each its own live vote, and no token can write votes in another token's name
 * (the store refuses a record owned by another rater).
 */
export function traceRaterId(tokenRaterId: string, actorId: string | undefined): string {
  return !actorId || actorId === tokenRaterId ? tokenRaterId : `${tokenRaterId}/${actorId}`;
}

/** A UUID (version 8, RFC 9562) derived from text: the same vote always gets the same record id. */
export function derivedUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface TraceFeedbackPlan {
  recordId: string;
  raterId: string;
  targetKey: string;
  kind: TargetKind;
  mutation: { id: string; op: 'upsert'; updatedAt: string; feedback: FeedbackInput };
}

const clip = (s: string | undefined, max: number) => (s === undefined ? undefined : s.length > max ? s.slice(0, max) : s);

/**
 * The mutation for one feedback event (already validated and redacted). `stepText` is the rated
 * step's text found in the trace; `createdAt` the stored record's, kept on an update.
 */
export function traceFeedbackPlan(
  e: TraceEventInput & { type: FeedbackEventType },
  opts: { tokenRaterId: string; at: string; stepText?: string; createdAt?: string },
): TraceFeedbackPlan {
  const data = FeedbackEventData.parse(e.data);
  const kind = feedbackEventKind(e.type, data);
  const targetKey = traceTargetKey(data.target_id ?? e.investigationId);
  const raterId = traceRaterId(opts.tokenRaterId, e.actorId);
  const criterion = data.criterion;
  const recordId = derivedUuid(JSON.stringify(['trace-feedback', raterId, targetKey, criterion ?? 'overall']));
  const ctx = data.context ?? {};
  const subject = e.subject ?? (typeof ctx.dataset_id === 'string' ? ctx.dataset_id : undefined);
  const output = clip(opts.stepText ?? contextTextOf(kind, ctx), LIMITS.textMaxChars);
  const context: Record<string, unknown> = {
    ...ctx,
    source: 'trace',
    investigation_id: e.investigationId,
    // Not the event's id: the same vote re-sent as a new event must leave the record unchanged.
    event_type: e.type,
    ...(e.actorId !== undefined ? { actor_id: e.actorId } : {}),
    ...(e.actorType !== undefined ? { actor_type: e.actorType } : {}),
  };
  const createdAt = opts.createdAt && opts.createdAt < opts.at ? opts.createdAt : opts.at;
  const feedback: FeedbackInput = {
    id: recordId,
    target: {
      kind,
      key: targetKey,
      site: 'trace',
      ...(subject ? { subject: clip(subject, LIMITS.shortTextMaxChars) } : {}),
      ...(typeof data.model === 'string' ? { model: clip(data.model, LIMITS.shortTextMaxChars) } : {}),
      ...(output ? { output } : {}),
      context,
    },
    rating: feedbackEventRating(data),
    ...(criterion ? { criterion } : {}),
    ...(data.comment ? { comment: data.comment } : {}),
    createdAt,
    updatedAt: opts.at,
  };
  return { recordId, raterId, targetKey, kind, mutation: { id: recordId, op: 'upsert', updatedAt: opts.at, feedback } };
}
