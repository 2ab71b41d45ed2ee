/**
 * Agreement you can act on (issue 16, item 3): per queue and criterion, Krippendorff's α, Cohen's κ
 * for every pair of reviewers and percent agreement, each with the items behind it and a note when
 * they are too few; the disputed items, worst first; and an analyst's adjudication of a disputed
 * item (a final rating with a reason), which exports can take as gold. Described once: the routes
 * (server/routes/queue-agreement.ts), the computation (server/queues/agreement.ts) and the docs
 * (docs/api/queues.md, "Agreement and adjudication") derive from these schemas.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { Criterion, Rating } from './schemas.ts';

export const AGREEMENT_LIMITS = {
  /** A figure over fewer items than this carries a `note` (it is still computed, exactly). */
  minItems: 10,
  /** An item counts towards α and percent agreement only with at least this many reviews of the criterion. */
  minReviewsPerItem: 2,
  disputedDefault: 50,
  disputedMax: 1000,
  reasonMaxChars: 2000,
} as const;

/** Which part of a rating a criterion's figures are computed on, and the metric that fits it. */
export const RATING_KINDS = ['thumb', 'stars', 'label'] as const;
export type RatingKind = (typeof RATING_KINDS)[number];
export const METRIC_OF: Record<RatingKind, 'nominal' | 'ordinal'> = { thumb: 'nominal', stars: 'ordinal', label: 'nominal' };

const note = z.string().optional().describe('Set when the figure rests on too few items (see `thresholds`).');

export const AlphaFigure = z.object({
  /** null when undefined: no item with two reviews, or no variation at all. */
  value: z.number().nullable(),
  metric: z.enum(['nominal', 'ordinal']),
  /** Items with at least two reviews of the criterion (the units). */
  items: z.number().int(),
  /** Pairable ratings (n in Krippendorff's notation). */
  values: z.number().int(),
  note,
});

export const PercentFigure = z.object({
  /** Share of agreeing pairs of reviews within an item, over every pair of every item. */
  value: z.number().nullable(),
  items: z.number().int(),
  pairs: z.number().int(),
  note,
});

export const RaterPair = z.object({
  raters: z.tuple([z.string(), z.string()]),
  /** Items both rated (on the criterion's rating). */
  items: z.number().int(),
  kappa: z.number().nullable(),
  percentAgreement: z.number().nullable(),
  note,
});

export const Adjudication = z.object({
  queueId: z.string(),
  targetKey: z.string(),
  criterion: z.string(),
  rating: z.object({ thumb: z.enum(['up', 'down']).optional(), stars: z.number().int().optional(), label: z.string().optional() }),
  reason: z.string(),
  by: z.string(),
  at: z.string(),
});
export type Adjudication = z.infer<typeof Adjudication>;

export const DisputedReview = z.object({
  raterId: z.string(),
  feedbackId: z.string(),
  rating: z.object({ thumb: z.enum(['up', 'down']).optional(), stars: z.number().int().optional(), label: z.string().optional() }),
});

export const DisputedItem = z.object({
  targetKey: z.string(),
  position: z.number().int(),
  /** Share of pairs of reviews of this item that disagree, 0 to 1. */
  disagreement: z.number(),
  reviews: z.array(DisputedReview),
  adjudication: Adjudication.nullable(),
});

export const CriterionAgreement = z.object({
  criterion: z.string(),
  /** The part of the rating the figures use: the one most of this criterion's reviews carry (ties: stars, thumb, label); null without reviews. */
  rating: z.enum(RATING_KINDS).nullable(),
  /** Reviews carrying that rating (one per reviewer and item). */
  reviews: z.number().int(),
  /** Queue items with at least one such review. */
  itemsReviewed: z.number().int(),
  raters: z.number().int(),
  alpha: AlphaFigure,
  percentAgreement: PercentFigure,
  /** Every pair of reviewers with at least one shared item, most shared items first. */
  pairs: z.array(RaterPair),
  /** Items whose reviews disagree, worst first (disagreement, then more reviews, then queue order). */
  disputed: z.array(DisputedItem),
  /** Disputed items in all (`disputed` holds at most `disputedLimit`). */
  disputedTotal: z.number().int(),
  adjudicated: z.number().int(),
});
export type CriterionAgreement = z.infer<typeof CriterionAgreement>;

export const QueueAgreement = z.object({
  queueId: z.string(),
  items: z.number().int(),
  thresholds: z.object({ minItems: z.number().int(), minReviewsPerItem: z.number().int() }),
  criteria: z.array(CriterionAgreement),
});
export type QueueAgreement = z.infer<typeof QueueAgreement>;

export const AgreementQuery = z.object({
  criterion: Criterion.optional().describe("Only this criterion (one of the queue's)."),
  disputedLimit: z.coerce
    .number()
    .int()
    .min(0)
    .max(AGREEMENT_LIMITS.disputedMax)
    .optional()
    .describe(`Disputed items listed per criterion (default ${AGREEMENT_LIMITS.disputedDefault}, at most ${AGREEMENT_LIMITS.disputedMax}).`),
});
export type AgreementQuery = z.infer<typeof AgreementQuery>;

/** POST /v1/queues/:id/adjudications: the final rating of one item of the queue on one criterion. */
export const AdjudicationInput = z.strictObject({
  /** The item's target key (every queue item has one: GET /v1/queues/:id, the disputed list). */
  targetKey: z.string().min(1).max(LIMITS.keyMaxChars),
  criterion: Criterion,
  rating: Rating,
  reason: z
    .string()
    .trim()
    .min(1, 'say why: the reason must not be empty')
    .max(AGREEMENT_LIMITS.reasonMaxChars, `at most ${AGREEMENT_LIMITS.reasonMaxChars} characters`)
    .refine((v) => !v.includes('\u0000'), 'must not contain the NUL character (U+0000)'),
});
export type AdjudicationInput = z.infer<typeof AdjudicationInput>;

export const AdjudicationResult = z.object({
  adjudication: Adjudication,
  /** The adjudication this one replaced (one per queue, item and criterion), or null. */
  replaced: Adjudication.nullable(),
});

export const AdjudicationsPage = z.object({ items: z.array(Adjudication) });
