/**
 * Messages between the content script, popup/options and the background. Validated at the edge
 * (the background's onMessage) with these schemas. The token and the server URL never travel to
 * content scripts: they live in the background's storage only.
 */
import { z } from 'zod';
import { LIMITS } from '../shared/limits.ts';
import { Correction, Criterion, Rating, Target, TextQuote } from '../shared/schemas.ts';
import { SiteVisit } from '../shared/site-health.ts';

/** What a content script knows when the rater clicks: no id, no timestamps (the background adds them). */
export const RatingDraft = z.object({
  target: Target,
  rating: Rating.optional(),
  comment: z.string().optional(),
  correction: Correction.optional(),
  tags: z.array(z.string()).optional(),
  /** true: undo this rater's vote on the target (a delete mutation). */
  remove: z.boolean().optional(),
  /**
   * An extra criterion of the detail form (its own record; status key criterionRowKey); absent: the
   * bar's `overall`. Taken only for a server with the `criteria` capability.
   */
  criterion: Criterion.optional(),
});
export type RatingDraft = z.infer<typeof RatingDraft>;

export const WidgetState = z.enum(['none', 'pending', 'synced', 'rejected']);
export type WidgetState = z.infer<typeof WidgetState>;

/** The state of one target's feedback as a widget shows it. */
export const TargetStatus = z.object({
  key: z.string(),
  state: WidgetState,
  error: z.string().optional(),
  rating: Rating.optional(),
  comment: z.string().optional(),
  correction: Correction.optional(),
});
export type TargetStatus = z.infer<typeof TargetStatus>;

/** A rated text selection of a page: the quote stored with its record, to find it again, and its status. */
export const PageSelection = z.object({ quote: TextQuote, status: TargetStatus });
export type PageSelection = z.infer<typeof PageSelection>;

export const Message = z.discriminatedUnion('type', [
  /** content → background: save (or undo) a rating. Answer: TargetStatus. */
  z.object({ type: z.literal('rate'), draft: RatingDraft }),
  /** content → background: states of the targets on the page. Answer: { statuses: TargetStatus[] }. */
  z.object({ type: z.literal('get-statuses'), keys: z.array(z.string()).max(5000) }),
  /**
   * content → background: this page's rated text selections (URL without its fragment), to show
   * their widgets again (content/selections.ts). Answer: { selections: PageSelection[] }.
   */
  z.object({ type: z.literal('get-page-selections'), url: z.string().max(LIMITS.urlMaxChars) }),
  /** content → background: rules and switches for this page. Answer: ContentConfig (extension/config). */
  z.object({ type: z.literal('get-content-config'), url: z.string() }),
  /** content → background: one page visit's health counters (no page text). Answer: { ok: true }. */
  z.object({ type: z.literal('report-visit'), visit: SiteVisit }),
  /**
   * content → background: a conversation is on screen; the rater's own ratings in it (from other
   * devices, or from before a reinstall) are fetched. Answer: { statuses: TargetStatus[] }.
   */
  z.object({ type: z.literal('open-conversation'), site: z.string().max(256), conversationId: z.string().min(1).max(256) }),
  /** popup → background: counts, last sync, recent. Answer: PopupSummary. */
  z.object({ type: z.literal('get-summary') }),
  /**
   * popup → background: what the rater's review queues hold for them (GET /v1/queues). Answer:
   * ToReview (extension/background/to-review.ts), null when there is nothing to show.
   */
  z.object({ type: z.literal('get-to-review') }),
  /** popup → background: sync now. Answer: PopupSummary after the attempt. */
  z.object({ type: z.literal('sync-now') }),
  /** options → background: check server URL and token. Answer: { ok, message }. */
  z.object({ type: z.literal('test-connection'), serverUrl: z.string(), token: z.string() }),
  /** options → background: trade a one-time code from the dashboard for this browser's token, and store it. Answer: ConnectResult (never the token). */
  z.object({ type: z.literal('connect-with-code'), serverUrl: z.string(), code: z.string().max(100), deviceName: z.string().max(200).optional() }),
]);
export type Message = z.infer<typeof Message>;

/** background → content (tabs.sendMessage). */
export const ContentMessage = z.discriminatedUnion('type', [
  /** Statuses changed (after a sync or a rating elsewhere). */
  z.object({ type: z.literal('statuses-changed'), statuses: z.array(TargetStatus) }),
  /** The context menu "Rate with Groundtruth" was used on a selection in this tab. */
  z.object({ type: z.literal('rate-selection'), selectionText: z.string() }),
]);
export type ContentMessage = z.infer<typeof ContentMessage>;
