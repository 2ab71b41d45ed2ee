/**
 * Investigation traces: what an AI agent did while investigating a subject (a failing DAG, an
 * alert), appended step by step and read back in the order they were appended. The log is
 * append-only: an event is never changed or removed through the API.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { checkFeedbackEvent, FEEDBACK_EVENT_TYPES, isFeedbackEventType } from './trace-feedback.ts';

export const TRACE_EVENT_TYPES = [
  'investigation.started',
  'investigation.completed',
  'hypothesis.generated',
  'hypothesis.accepted',
  'hypothesis.rejected',
  'query.planned',
  'query.executed',
  'query.succeeded',
  'query.failed',
  'evidence.collected',
  'evidence.evaluated',
  'synthesis.generated',
  // Seed 001's feedback events: each also stores the feedback record it describes (shared/trace-feedback.ts).
  ...FEEDBACK_EVENT_TYPES,
  'comment.added',
] as const;
/** Any other type is refused, naming the accepted ones: a typo must not vanish from every figure (ADR 0039). */
export const TraceEventType = z.enum(TRACE_EVENT_TYPES, { error: `must be one of ${TRACE_EVENT_TYPES.join(', ')}` });
export type TraceEventType = z.infer<typeof TraceEventType>;

export const TRACE_LIMITS = {
  /** Events in one POST /v1/events. */
  batchMax: 500,
  /** Serialized JSON of one event's data. */
  dataMaxBytes: 64 * 1024,
} as const;

export const TRACE_ACTOR_TYPES = ['user', 'system'] as const;

const id = z.string().min(1, 'must not be empty').max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`);

/** One event as a program sends it. */
export const TraceEventInput = z.object({
  /** Optional client-chosen UUID: sending the same id again is a no-op, so retries are safe. */
  id: z.uuid('must be a UUID').optional(),
  type: TraceEventType,
  investigationId: id,
  /** The dataset, DAG or service the investigation is about. */
  subject: id.optional(),
  data: z
    .record(z.string(), z.unknown())
    .refine((v) => JSON.stringify(v).length <= TRACE_LIMITS.dataMaxBytes, `must serialize to at most ${TRACE_LIMITS.dataMaxBytes} bytes`)
    .default({}),
  /** When it happened by the sender's clock (defaults to arrival). Ordering uses arrival, not this. */
  at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-02-01T12:00:00Z' }).optional(),
  /** Who caused it (001's actor_id): a user of the sending program, or the system itself. A feedback event's rater. */
  actorId: id.optional(),
  /** 001's actor_type. */
  actorType: z.enum(TRACE_ACTOR_TYPES, { error: `must be one of ${TRACE_ACTOR_TYPES.join(', ')}` }).optional(),
}).strict() // an unknown field is refused, by name; `data` stays free-form
  .superRefine((e, ctx) => {
    if (isFeedbackEventType(e.type)) checkFeedbackEvent(e.type, e.data, ctx);
  });
export type TraceEventInput = z.infer<typeof TraceEventInput>;

/** A batch: each event is checked on its own (one bad event is rejected, the rest are appended in order). */
export const TraceEventsBatch = z.object({
  events: z
    .array(z.record(z.string(), z.unknown()))
    .min(1, 'send at least one event')
    .max(TRACE_LIMITS.batchMax, `at most ${TRACE_LIMITS.batchMax} events per batch`),
}).strict();

/** POST /v1/events takes one event, or `{ events: [...] }`. */
export const TraceEventsRequest = z.union([TraceEventsBatch, TraceEventInput]);
export type TraceEventsRequest = z.infer<typeof TraceEventsRequest>;

export const TRACE_EVENT_STATUSES = ['appended', 'unchanged', 'rejected'] as const;
export const TraceEventResult = z.object({
  id: z.string(),
  status: z.enum(TRACE_EVENT_STATUSES),
  error: z.string().optional(),
  /** A feedback.* event: the feedback record it stored (applied), left as it was (unchanged) or not (stale: a later one is stored). */
  feedback: z
    .object({ id: z.string(), targetKey: z.string(), status: z.enum(['applied', 'unchanged', 'stale']) })
    .optional(),
});
export type TraceEventResult = z.infer<typeof TraceEventResult>;
export const TraceEventsResponse = z.object({ results: z.array(TraceEventResult) });

/** An event as the API returns it. */
export const TraceEvent = z.object({
  id: z.string(),
  type: TraceEventType,
  investigationId: z.string(),
  subject: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  at: z.string(),
  receivedAt: z.string(),
  /** The rater id of the token that sent it. */
  raterId: z.string(),
  actorId: z.string().nullable(),
  actorType: z.enum(TRACE_ACTOR_TYPES).nullable(),
});
export type TraceEvent = z.infer<typeof TraceEvent>;

export const TraceEventsQuery = z.object({
  subject: z.string().max(LIMITS.shortTextMaxChars).optional().describe('only events about this subject'),
  investigation: z.string().max(LIMITS.shortTextMaxChars).optional().describe('only events of this investigation id'),
  /** One type, or several separated by commas. */
  type: z
    .string()
    .max(2000)
    .optional()
    .refine((v) => v === undefined || v.split(',').every((t) => (TRACE_EVENT_TYPES as readonly string[]).includes(t.trim())), {
      message: `each type must be one of ${TRACE_EVENT_TYPES.join(', ')}`,
    })
    .describe('one event type, or several separated by commas'),
  limit: z.coerce.number().int().min(1).max(LIMITS.listMaxLimit).default(LIMITS.listDefaultLimit),
  cursor: z.string().max(500).optional().describe('nextCursor from the previous page'),
});
export type TraceEventsQuery = z.infer<typeof TraceEventsQuery>;

export const TraceEventsPage = z.object({ events: z.array(TraceEvent), nextCursor: z.string().nullable() });
