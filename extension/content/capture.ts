/**
 * The Target a rating sends, built from what an adapter captured or from a text selection. A
 * capture (sites/types.ts, AnswerCapture) holds target fields under their target names, so it is
 * copied as a whole: a field an adapter starts to capture reaches the record without a line here
 * (the one description of the record's fields is shared/feedback-fields.ts). Only what the page
 * adds besides the capture is done here: the identity (kind, key, site, url), the other versions
 * of the answer seen in this tab, and the protocol's limits on what the page's URL and host are.
 */
import { LIMITS } from '../../shared/limits.ts';
import type { Target, TargetKind } from '../../shared/schemas.ts';
import type { AnswerCapture } from '../sites/types.ts';
import type { TextQuote } from './quote.ts';

/** Optional fields left out rather than sent as undefined. */
export function compact<T extends object>(value: T): T {
  for (const k of Object.keys(value) as (keyof T)[]) if (value[k] === undefined) delete value[k];
  return value;
}

/** What identifies a target: enough for an undo (a delete needs no page text). */
export function identityTarget(kind: TargetKind, key: string, site: string, pageUrl: URL): Target {
  return {
    kind,
    key,
    site: (site || pageUrl.hostname).slice(0, LIMITS.shortTextMaxChars),
    url: pageUrl.href.slice(0, LIMITS.urlMaxChars),
  };
}

/**
 * The full target of an answer: its identity, everything the adapter captured, and as
 * `alternatives` the versions the page exposes followed by those this tab saw (`seenVersions`).
 */
export function answerTarget(identity: Target, capture: AnswerCapture, seenVersions: readonly string[]): Target {
  const { alternatives: exposed = [], ...captured } = capture;
  const alternatives = [...exposed, ...seenVersions].map((text) => text.slice(0, LIMITS.textMaxChars)).slice(0, LIMITS.alternativesMax);
  return compact({ ...identity, ...captured, alternatives: alternatives.length > 0 ? alternatives : undefined });
}

/** The target of a text selection: its quote (exact text, context, offsets), the exact text as `output`. */
export function selectionTarget(identity: Target, quote: TextQuote, full: boolean): Target {
  return full ? { ...identity, output: quote.exact, quote } : identity;
}
