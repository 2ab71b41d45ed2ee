/**
 * Feedback as seed 001 (Dataing) sends it: a `feedback.*` trace event whose `data` describes a
 * rating of one step of an investigation. The server appends the event and stores (or updates) the
 * feedback record it describes, so the figures, knowledge and exports count it. See
 * docs/api/traces.md and docs/decisions/0039-traces.md.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { Criterion, type Rating, type TargetKind } from './schemas.ts';

export const FEEDBACK_EVENT_TYPES = [
  'feedback.hypothesis',
  'feedback.query',
  'feedback.evidence',
  'feedback.synthesis',
  'feedback.investigation',
  'feedback.submitted',
] as const;
export type FeedbackEventType = (typeof FEEDBACK_EVENT_TYPES)[number];

/** The target kind each feedback event type rates. `feedback.submitted` names its kind in `data.target_type`. */
export const FEEDBACK_EVENT_KINDS: Record<FeedbackEventType, TargetKind | undefined> = {
  'feedback.hypothesis': 'hypothesis',
  'feedback.query': 'query',
  'feedback.evidence': 'evidence',
  'feedback.synthesis': 'synthesis',
  'feedback.investigation': 'investigation',
  'feedback.submitted': undefined,
};

/** The kinds a trace step can be (what `feedback.submitted` may name in `data.target_type`). */
export const TRACE_TARGET_KINDS = ['hypothesis', 'query', 'evidence', 'synthesis', 'investigation'] as const;

export function isFeedbackEventType(type: string): type is FeedbackEventType {
  return Object.hasOwn(FEEDBACK_EVENT_KINDS, type);
}

/** Feedback about a trace step uses `target.key = "trace:" + its id` (as items use "item:"). */
export const TRACE_KEY_PREFIX = 'trace:';
export function traceTargetKey(targetId: string): string {
  return `${TRACE_KEY_PREFIX}${targetId}`;
}

const targetId = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.keyMaxChars - TRACE_KEY_PREFIX.length, `at most ${LIMITS.keyMaxChars - TRACE_KEY_PREFIX.length} characters`);

/**
 * `data` of a feedback event. The rating: `rating` 1 | -1 (001's thumbs up / down), `helpful`
 * true | false (the same as a thumb), and/or `score` 1–5 (stars). Other keys stay as sent (`data`
 * is free-form, DESIGN "Errors"); they are kept in the trace, and `context` in the record.
 */
export const FeedbackEventData = z
  .object({
    /** The rated step's id (a hypothesis, query, evidence or synthesis id); for feedback.investigation, defaults to the investigation. */
    target_id: targetId.optional(),
    /** Only for feedback.submitted: which kind of step it rates. */
    target_type: z.enum(TRACE_TARGET_KINDS, { error: `must be one of ${TRACE_TARGET_KINDS.join(', ')}` }).optional(),
    rating: z.union([z.literal(1), z.literal(-1)], { error: 'must be 1 (thumbs up) or -1 (thumbs down)' }).optional(),
    helpful: z.boolean({ error: 'must be true or false' }).optional(),
    score: z.number().int('stars must be a whole number').min(1, 'score goes from 1 to 5').max(5, 'score goes from 1 to 5').optional(),
    comment: z.string().max(LIMITS.commentMaxChars, `at most ${LIMITS.commentMaxChars} characters`).optional(),
    criterion: Criterion.optional(),
    context: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).optional(),
  })
  .catchall(z.unknown())
  .refine((d) => d.rating !== undefined || d.helpful !== undefined || d.score !== undefined, {
    message: 'a feedback event needs rating (1 | -1), helpful (true | false) or score (1–5)',
  })
  .refine((d) => d.rating === undefined || d.helpful === undefined || (d.rating === 1) === d.helpful, {
    message: 'rating and helpful disagree',
    path: ['helpful'],
  });
export type FeedbackEventData = z.infer<typeof FeedbackEventData>;

/** Checks a feedback event's data against its type; adds issues under `data.…` (used by TraceEventInput). */
export function checkFeedbackEvent(type: FeedbackEventType, data: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const parsed = FeedbackEventData.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['data', ...issue.path] });
    return;
  }
  if (type === 'feedback.submitted' && parsed.data.target_type === undefined) {
    ctx.addIssue({ code: 'custom', message: `feedback.submitted needs target_type: one of ${TRACE_TARGET_KINDS.join(', ')}`, path: ['data', 'target_type'] });
  }
  const kind = FEEDBACK_EVENT_KINDS[type] ?? parsed.data.target_type;
  if (kind !== 'investigation' && parsed.data.target_id === undefined) {
    ctx.addIssue({ code: 'custom', message: 'the id of the rated step is required (feedback.investigation defaults to the investigation)', path: ['data', 'target_id'] });
  }
}

/** The kind a feedback event rates. */
export function feedbackEventKind(type: FeedbackEventType, data: FeedbackEventData): TargetKind {
  return FEEDBACK_EVENT_KINDS[type] ?? data.target_type ?? 'other';
}

/** The record's rating: rating/helpful as a thumb, score as stars. */
export function feedbackEventRating(data: FeedbackEventData): Rating {
  const up = data.rating !== undefined ? data.rating === 1 : data.helpful;
  return {
    ...(up !== undefined ? { thumb: up ? 'up' : 'down' } : {}),
    ...(data.score !== undefined ? { stars: data.score } : {}),
  };
}

/** One record's quality on 0–1: a thumb up 1, down 0; stars 1–5 as 0, 0.25 … 1; both: their mean. */
export function ratingScore(rating: { thumb?: 'up' | 'down' | null; stars?: number | null }): number | null {
  const parts: number[] = [];
  if (rating.thumb) parts.push(rating.thumb === 'up' ? 1 : 0);
  if (typeof rating.stars === 'number') parts.push((rating.stars - 1) / 4);
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}
