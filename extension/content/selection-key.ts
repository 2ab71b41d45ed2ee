/**
 * The target key of a rated text selection: the page's host and path, then a hash of the quote
 * with its context. The content script makes it when the rater rates a selection; the background
 * finds a page's rated selections again by its prefix (outbox rows keyed under it), so the
 * content script can show their widgets on the next visit (selections.ts).
 */
import { LIMITS } from '../../shared/limits.ts';
import { textHash } from '../sites/dom/keys.ts';
import type { TextQuote } from './quote.ts';

/** Every selection key of this page starts with this (the query and the fragment are not part of it). */
export function selectionKeyPrefix(pageUrl: URL): string {
  return `${pageUrl.hostname}:selection:${pageUrl.pathname}:`.slice(0, LIMITS.keyMaxChars);
}

export function selectionKey(pageUrl: URL, quote: TextQuote): string {
  const hash = textHash(`${quote.prefix ?? ''}\u0000${quote.exact}\u0000${quote.suffix ?? ''}`);
  return `${pageUrl.hostname}:selection:${pageUrl.pathname}:${hash}`.slice(0, LIMITS.keyMaxChars);
}
