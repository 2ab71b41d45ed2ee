/**
 * Presigned rating links (issue 17, item 1; docs/api/feedback-links.md): what an analyst asks for
 * (POST /v1/feedback-links), what a link is as the API lists it, and what a person (or a program)
 * posts to `/r/<secret>` without a token.
 */
import { z } from 'zod';
import { Correction, Criterion, Rating, Target, Thumb } from './schemas.ts';
import { LIMITS } from './limits.ts';

/** Default lifetime: 3 hours, as LangSmith's presigned feedback tokens. */
export const LINK_DEFAULT_EXPIRES_SECONDS = 3 * 3600;
/** The longest a link may live: 30 days. */
export const LINK_MAX_EXPIRES_SECONDS = 30 * 86_400;
export const LINK_MIN_EXPIRES_SECONDS = 60;
export const LINK_LABELS_MAX = 20;
export const LINK_USER_ID_MAX = 200;

/**
 * Which ratings the link takes. Each kind named is allowed (within its bounds); a kind not named
 * is refused (422 `rating_not_allowed`). Absent: any rating (the page offers thumbs and stars).
 */
export const AllowedRatings = z
  .strictObject({
    thumb: z.array(Thumb).min(1).max(2).optional(),
    stars: z
      .strictObject({ min: z.number().int().min(1).max(5).default(1), max: z.number().int().min(1).max(5).default(5) })
      .refine((s) => s.min <= s.max, { message: 'stars.min must not be above stars.max' })
      .optional(),
    labels: z.array(z.string().min(1).max(LIMITS.labelMaxChars)).min(1).max(LINK_LABELS_MAX).optional(),
  })
  .refine((a) => a.thumb !== undefined || a.stars !== undefined || a.labels !== undefined, {
    message: 'allowedRatings names at least one of thumb, stars or labels',
  });
export type AllowedRatings = z.infer<typeof AllowedRatings>;

export const FeedbackLinkInput = z.strictObject({
  target: Target,
  criterion: Criterion.optional(),
  /** Seconds from now (60 s to 30 days). Not with expiresAt. Default 3 h. */
  expiresIn: z.number().int().positive().optional(),
  /** An absolute time (ISO 8601), at most 30 days ahead. Not with expiresIn. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** false (default): the first rating uses the link up. true: every browser may vote (and re-vote) until it expires. */
  reusable: z.boolean().optional(),
  allowedRatings: AllowedRatings.optional(),
  /** Your id of the person the link is for: their rating is the rater `user:<id>`. */
  userId: z.string().trim().min(1).max(LINK_USER_ID_MAX).optional(),
});
export type FeedbackLinkInput = z.infer<typeof FeedbackLinkInput>;

export const FeedbackLink = z.object({
  id: z.string(),
  /** The first characters of the secret, to recognise a link; the secret itself is shown once. */
  prefix: z.string(),
  target: Target,
  criterion: z.string(),
  reusable: z.boolean(),
  allowedRatings: AllowedRatings.nullable(),
  userId: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  /** A single-use link: when its one rating came in. */
  usedAt: z.string().nullable(),
  /** Raters who rated through it (a re-vote is not counted again). */
  votes: z.number().int(),
  /** `active`, `expired`, `used` or `revoked`. */
  status: z.enum(['active', 'expired', 'used', 'revoked']),
});
export type FeedbackLink = z.infer<typeof FeedbackLink>;

/** The answer to POST /v1/feedback-links: the link with its URL, shown once. */
export const CreatedFeedbackLink = FeedbackLink.extend({ url: z.string() });
export type CreatedFeedbackLink = z.infer<typeof CreatedFeedbackLink>;

export const FeedbackLinksQuery = z.object({
  status: z.enum(['active', 'expired', 'used', 'revoked']).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.listMaxLimit).default(LIMITS.listDefaultLimit),
  cursor: z.string().max(200).optional(),
});

/** POST /r/<secret> as JSON: one rating, with an optional comment and correction. */
export const LinkRatingInput = z.strictObject({
  rating: Rating,
  comment: z.string().max(LIMITS.commentMaxChars, `at most ${LIMITS.commentMaxChars} characters`).optional(),
  correction: Correction.optional(),
});
export type LinkRatingInput = z.infer<typeof LinkRatingInput>;

/** Why a rating is not one the link takes, or undefined when it is. */
export function ratingNotAllowed(allowed: AllowedRatings | null, rating: Rating): string | undefined {
  if (!allowed) return undefined;
  if (rating.thumb !== undefined) {
    if (!allowed.thumb) return 'this link takes no thumbs';
    if (!allowed.thumb.includes(rating.thumb)) return `this link takes only thumb ${allowed.thumb.join(' or ')}`;
  }
  if (rating.stars !== undefined) {
    if (!allowed.stars) return 'this link takes no stars';
    if (rating.stars < allowed.stars.min || rating.stars > allowed.stars.max) return `this link takes ${allowed.stars.min} to ${allowed.stars.max} stars`;
  }
  if (rating.label !== undefined) {
    if (!allowed.labels) return 'this link takes no labels';
    if (!allowed.labels.includes(rating.label)) return `this link takes only the labels ${allowed.labels.join(', ')}`;
  }
  return undefined;
}
