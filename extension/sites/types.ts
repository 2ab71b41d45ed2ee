/**
 * The contract between the content controller and a site adapter. One adapter per site in this
 * folder (chatgpt.ts, claude.ts, …), plus adapters built from custom rules (custom-rule.ts).
 * Adapters only read the page: they never click, focus or dispatch events on the site's own
 * controls (clicking a site's thumbs can change the user's data-sharing settings there).
 */
import type { ChatMessage, TargetKind } from '../../shared/schemas.ts';

/** What an adapter reads about one answer when the rater rates it. */
export interface AnswerCapture {
  /** The answer's text as the rater saw it (formulas as TeX, site buttons left out). */
  output: string;
  /** The user turn before the answer. */
  prompt?: string;
  /** Turns before the prompt, oldest first, at most LIMITS.messagesMax. */
  messages?: ChatMessage[];
  model?: string;
  conversationId?: string;
  subject?: string;
  /** Other versions of this answer the page exposes (regenerations, drafts). */
  alternatives?: string[];
  /** Extra facts for target.context (e.g. which custom rule matched). */
  context?: Record<string, unknown>;
}

/** Which of an adapter's layouts found the answers on a page, and how many turns: the health counters. */
export interface SiteSurvey {
  /** The layout's name (`2026-09`, `legacy`, `pack`), or `none` when no layout found answers. */
  layout: string;
  /** A fallback selector (not the layout's first answer selector) found the answers. */
  fallback: boolean;
  answers: number;
  userTurns: number;
}

export interface SiteAdapter {
  /** Short id, used in config switches (`disabledAdapters`, `siteEnabled`) and fixture folders. */
  readonly id: string;
  /** `target.site` of the feedback, e.g. `chatgpt.com`; empty: the page's hostname (custom rules). */
  readonly site: string;
  readonly kind: TargetKind;
  /** Pages to check by hand after a site redesign (as Refined GitHub lists per feature). */
  readonly testUrls: readonly string[];
  /** Attributes whose change can end streaming; the controller's MutationObserver watches them. */
  readonly watchAttributes: readonly string[];
  matches(url: URL): boolean;
  /** Every AI answer under `root`, in document order. */
  findAnswers(root: ParentNode): Element[];
  /**
   * True while the answer is still being written; the controller waits before placing a widget.
   * `isLast`: the answer is the last one on the page (the only one a page-level Stop button concerns).
   */
  isStreaming(answer: Element, isLast: boolean): boolean;
  /** False if no answer under `root` can be streaming (one query for the page instead of one per answer). */
  anyStreaming(root: ParentNode): boolean;
  /**
   * Stable identity of the answer: the site's message id where it has one, else
   * site + conversation + position + content hash. `position` is the answer's index in findAnswers.
   */
  key(answer: Element, position: number, url: URL): string;
  /** The conversation (or page) the answer belongs to: answers at one position of one conversation are versions of each other. */
  conversationId(url: URL): string | undefined;
  /** Reads the answer, its prompt, earlier turns and model. Called when the rater rates, not on every scan. */
  capture(answer: Element, url: URL): AnswerCapture;
  /** The element after which the widget is placed (outside the site's own button bars). */
  anchor(answer: Element): Element;
  /**
   * The turn an answer belongs to, stable while the site unmounts and remounts it (virtualised
   * threads): answers of one slot are versions of each other (regenerations). Default: position.
   */
  slot?(answer: Element, position: number): string;
  /** Counts for the health report: which layout matched, answers and user turns found. */
  survey?(root: ParentNode): SiteSurvey;
  /** The version of the selector pack merged into this adapter, if any. */
  readonly packVersion?: number;
}
