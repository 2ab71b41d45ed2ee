/**
 * The quote of a text selection, as Hypothesis anchors annotations: the exact text, some context
 * before and after it, and its offsets in the page's text, so the target can be found again.
 */
import type { Target } from '../../shared/schemas.ts';

export type TextQuote = NonNullable<Target['quote']>;

/** Characters of context kept on each side (Hypothesis keeps 32). */
export const CONTEXT_CHARS = 32;

export function quoteOf(range: Range, root: Node): TextQuote {
  const exact = range.toString();
  const before = root.ownerDocument!.createRange();
  before.setStart(root, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const end = start + exact.length;
  const text = root.textContent ?? '';
  const quote: TextQuote = { exact, start, end };
  const prefix = text.slice(Math.max(0, start - CONTEXT_CHARS), start);
  const suffix = text.slice(end, end + CONTEXT_CHARS);
  if (prefix) quote.prefix = prefix;
  if (suffix) quote.suffix = suffix;
  return quote;
}

/** Finds a quote in the page's text again: by offsets if they still hold, else by exact + context. */
export function findQuote(quote: TextQuote, text: string): { start: number; end: number } | null {
  if (quote.start !== undefined && text.slice(quote.start, quote.start + quote.exact.length) === quote.exact) {
    return { start: quote.start, end: quote.start + quote.exact.length };
  }
  const withContext = (quote.prefix ?? '') + quote.exact + (quote.suffix ?? '');
  const at = text.indexOf(withContext);
  if (at >= 0) {
    const start = at + (quote.prefix ?? '').length;
    return { start, end: start + quote.exact.length };
  }
  const bare = text.indexOf(quote.exact);
  return bare >= 0 ? { start: bare, end: bare + quote.exact.length } : null;
}
