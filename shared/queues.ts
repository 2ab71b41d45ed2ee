/**
 * Review queues (issue 16, item 1; ADR 0042): an analyst fixes a set of items to review, with
 * several reviewers per item (overlap), the criteria to rate and who may review; reviewers claim
 * one item at a time under a lease and answer with ordinary feedback carrying `queueId`. Described
 * once: the routes (validation, OpenAPI), the store and the pages derive from these schemas.
 * See docs/api/queues.md.
 */
import { z } from 'zod';
import { FILTER_SHAPE, WINDOW_SHAPE, refuseConflicts } from './filters.ts';
import { ITEM_LIMITS, ItemPrediction } from './items.ts';
import { LIMITS } from './limits.ts';
import { Criterion, DEFAULT_CRITERION, Target } from './schemas.ts';

export const QUEUE_LIMITS = {
  nameMaxChars: 200,
  /** Items one queue may hold (from a filter or from item keys). */
  itemsMax: 20_000,
  reviewersPerItemMax: 10,
  criteriaMax: 20,
  assigneesMax: 1000,
  leaseSecondsDefault: 600,
  leaseSecondsMin: 30,
  leaseSecondsMax: 86_400,
  listDefaultLimit: 50,
  listMaxLimit: 200,
} as const;

const NUL = '\u0000';
const text = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((v) => !v.includes(NUL), 'must not contain the NUL character (U+0000)');
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-02-01T10:00:00Z' });
const unique = <T>(xs: T[]) => new Set(xs).size === xs.length;

/**
 * The feedback filters a queue is made from: the shared filters (FEEDBACK_FILTERS, shared/filters.ts)
 * and the window option `days` (counted back from the queue's creation), nothing else: an unknown
 * key is 422 `unknown_field` naming it and the accepted ones. Without a window, all live feedback.
 */
export const QueueFilter = z
  .strictObject({ ...FILTER_SHAPE, days: WINDOW_SHAPE.days })
  .superRefine(refuseConflicts);
export type QueueFilter = z.output<typeof QueueFilter>;

/** POST /v1/queues. Exactly one of `filter` and `itemKeys`. */
export const QueueInput = z
  .strictObject({
    name: text(QUEUE_LIMITS.nameMaxChars),
    /** The live feedback matching it gives the items: its distinct targets. */
    filter: QueueFilter.optional(),
    /** Registered items (POST /v1/items) by their external keys, in this order; duplicates count once. */
    itemKeys: z
      .array(z.string().min(1).max(ITEM_LIMITS.keyMaxChars))
      .min(1, 'name at least one item')
      .max(QUEUE_LIMITS.itemsMax, `at most ${QUEUE_LIMITS.itemsMax} items`)
      .optional(),
    /** Reviewers per item (overlap). */
    reviewersPerItem: z.number().int().min(1).max(QUEUE_LIMITS.reviewersPerItemMax).default(1),
    /** Reviewers do not see the AI's verdict (an item's prediction, judges' scores) until they submit. */
    blind: z.boolean().default(false),
    /** What a reviewer rates; a review is in when the reviewer has a live rating of each. */
    criteria: z
      .array(Criterion)
      .min(1, 'name at least one criterion')
      .max(QUEUE_LIMITS.criteriaMax, `at most ${QUEUE_LIMITS.criteriaMax} criteria`)
      .refine(unique, 'criteria must not repeat')
      .default([DEFAULT_CRITERION]),
    /** Rater ids who may review (each must have a token in the workspace); absent: anyone of the workspace. */
    assignees: z
      .array(text(LIMITS.shortTextMaxChars))
      .min(1, 'name at least one assignee, or leave assignees out for any rater')
      .max(QUEUE_LIMITS.assigneesMax, `at most ${QUEUE_LIMITS.assigneesMax} assignees`)
      .refine(unique, 'assignees must not repeat')
      .optional(),
    due: isoTime.optional(),
    /** How long a claim holds an item for its reviewer before it returns to the pool. */
    leaseSeconds: z
      .number()
      .int()
      .min(QUEUE_LIMITS.leaseSecondsMin)
      .max(QUEUE_LIMITS.leaseSecondsMax)
      .default(QUEUE_LIMITS.leaseSecondsDefault),
  })
  .refine((q) => (q.filter === undefined) !== (q.itemKeys === undefined), {
    message: 'give exactly one of filter and itemKeys',
    path: ['filter'],
  });
export type QueueInput = z.output<typeof QueueInput>;

/** Progress of the whole queue. */
export const QueueProgress = z.object({
  items: z.number(),
  /** Items with all their reviews. */
  itemsComplete: z.number(),
  /** items × reviewersPerItem. */
  reviewsNeeded: z.number(),
  /** Submitted reviews, at most reviewersPerItem counted per item. */
  reviewsDone: z.number(),
  complete: z.boolean(),
});
export type QueueProgress = z.infer<typeof QueueProgress>;

/** Per reviewer: reviews submitted, and items held under an unexpired lease. */
export const AssigneeProgress = z.object({ raterId: z.string(), done: z.number(), claimed: z.number() });
export type AssigneeProgress = z.infer<typeof AssigneeProgress>;

/** A queue as the list returns it. */
export const QueueSummary = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  filter: z.record(z.string(), z.unknown()).nullable(),
  itemKeys: z.array(z.string()).nullable(),
  reviewersPerItem: z.number(),
  blind: z.boolean(),
  criteria: z.array(z.string()),
  assignees: z.array(z.string()).nullable(),
  due: z.string().nullable(),
  leaseSeconds: z.number(),
  /** Rater id of whoever created it. */
  createdBy: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  progress: QueueProgress,
  /** Items the caller could still be given or holds now (0 when the caller may not review in it). */
  toReview: z.number(),
});
export type QueueSummary = z.infer<typeof QueueSummary>;

/** GET /v1/queues/{id}: the summary and progress per assignee (a rater sees only their own line). */
export const Queue = QueueSummary.extend({
  /** Every assignee (zeros included), or for an open queue every reviewer who claimed or submitted. */
  perAssignee: z.array(AssigneeProgress),
});
export type Queue = z.infer<typeof Queue>;

/** One item of a queue as a reviewer gets it. */
export const QueueItem = z.object({
  queueId: z.string(),
  position: z.number(),
  /** Put this in `target.key` of the review (with `queueId`). */
  targetKey: z.string(),
  /** The registered item (GET /v1/items), or null for a target taken from feedback. */
  itemId: z.string().nullable(),
  /** What is reviewed, as it was when the queue was made (a target shape, without the AI's verdict). */
  target: Target,
  /** The AI's verdict of a registered item (predicted labels, confidence). Absent for a rater in a blind queue. */
  prediction: ItemPrediction.optional(),
  /** Present when the verdict is withheld (blind queue, not yet submitted). */
  blinded: z.literal(true).optional(),
});
export type QueueItem = z.infer<typeof QueueItem>;

/** POST /v1/queues/{id}/claims (and GET /v1/queues/{id}/next). */
export const QueueClaim = z.object({ item: QueueItem, leaseExpiresAt: z.string(), criteria: z.array(z.string()) });
export type QueueClaim = z.infer<typeof QueueClaim>;

const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

export const QUEUE_STATUSES = ['open', 'complete'] as const;

/** GET /v1/queues: newest first. */
export const QueuesQuery = z.object({
  status: z.preprocess(blankIsAbsent, z.enum(QUEUE_STATUSES).optional()),
  limit: z.preprocess(
    blankIsAbsent,
    z.coerce.number().int().min(1).max(QUEUE_LIMITS.listMaxLimit).default(QUEUE_LIMITS.listDefaultLimit),
  ),
  cursor: z.preprocess(blankIsAbsent, z.string().max(200).optional()),
});
export type QueuesQuery = z.infer<typeof QueuesQuery>;

export const QueuesPage = z.object({ items: z.array(QueueSummary), nextCursor: z.string().nullable() });
export type QueuesPage = z.infer<typeof QueuesPage>;
