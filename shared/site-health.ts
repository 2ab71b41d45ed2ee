/**
 * Adapter health: what a content script counts on each page visit (numbers and names only, never
 * page text), carried to the server with sync (`health` in POST /v1/sync) when the server
 * advertises the `health` capability, and the rule that flags a site as broken.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

const name = z.string().min(1).max(64, 'at most 64 characters');
const count = z.number().int().nonnegative().max(1_000_000);

/** One page visit as the content script saw it once the page settled. */
export const SiteVisit = z.strictObject({
  /** When the visit was counted (client clock, ISO 8601). */
  at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-02-01T12:00:00Z' }),
  /** `target.site` of the adapter, e.g. `chatgpt.com`. */
  site: z.string().min(1).max(LIMITS.shortTextMaxChars),
  /** Adapter id (`chatgpt`, …; a custom rule's id). */
  adapter: name,
  /** Which layout matched (`2026-09`, `legacy`, `pack`), or `none` when no layout found answers. */
  layout: name,
  /** A fallback selector (not the layout's first) found the answers. */
  fallback: z.boolean(),
  /** Version of the selector pack in use for this site, if any. */
  pack: z.number().int().nonnegative().optional(),
  answers: count,
  userTurns: count,
  /** Whether the prompt, the model and the conversation id could be read (for the last answer). */
  prompt: z.boolean(),
  model: z.boolean(),
  conversationId: z.boolean(),
});
export type SiteVisit = z.infer<typeof SiteVisit>;

/** Visits in one sync request; the extension keeps at most this many waiting. */
export const SITE_VISITS_MAX = 200;

/** The rule that flags a site as broken (server/health/). */
export const HEALTH_RULE = {
  /** Rolling window the rule looks at. */
  windowHours: 24,
  /** Visits that saw user turns but 0 answers, or visits with answers but no prompt read, needed. */
  minVisits: 5,
  /** …from at least this many clients. */
  minClients: 2,
  /** Broken when the prompt was captured in fewer than this share of visits with answers. */
  minPromptShare: 0.2,
  /** An incident ends after this many healthy visits in a row (answers found and prompt read). */
  healthyToRecover: 5,
} as const;
