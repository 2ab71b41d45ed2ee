/**
 * Messages between the content script, popup/options and the background. Validated at the edge
 * (the background's onMessage) with these schemas. The token and the server URL never travel to
 * content scripts: they live in the background's storage only.
 */
import { z } from 'zod';
import { Correction, Rating, Target } from '../shared/schemas.ts';
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

export const Message = z.discriminatedUnion('type', [
  /** content → background: save (or undo) a rating. Answer: TargetStatus. */
  z.object({ type: z.literal('rate'), draft: RatingDraft }),
  /** content → background: states of the targets on the page. Answer: { statuses: TargetStatus[] }. */
  z.object({ type: z.literal('get-statuses'), keys: z.array(z.string()).max(5000) }),
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
  /** popup → background: sync now. Answer: PopupSummary after the attempt. */
  z.object({ type: z.literal('sync-now') }),
  /** options → background: check server URL and token. Answer: { ok, message }. */
  z.object({ type: z.literal('test-connection'), serverUrl: z.string(), token: z.string() }),
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

/**
 * The background's answer when it understood a message but cannot do it (not a valid message,
 * Groundtruth switched off for the site, a rating without a vote): show `error` to the rater.
 * Any other answer is the one named for the message above.
 */
export const MessageFailure = z.object({ failed: z.literal(true), error: z.string() });
export type MessageFailure = z.infer<typeof MessageFailure>;
