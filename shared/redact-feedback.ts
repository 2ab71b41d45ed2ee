/**
 * A feedback record's free text, redacted by the detectors of redact.ts: every field the one
 * description of the record marks `redact` (shared/feedback-fields.ts, REDACTED_PATHS: the target's
 * prompt, output, messages, alternatives and quote, the comment, the correction), each string inside
 * it, wherever it sits (a chat turn's content, a quote's exact text and context, a string value of
 * correction.fields). Numbers, booleans and the other fields (ids, keys, URLs, models, context) pass
 * through as they were; quote offsets are kept (they point into the page).
 */
import { REDACTED_PATHS, valueAt } from './feedback-fields.ts';
import { addCounts, emptyCounts, redact, type RedactionCounts, type RedactOptions } from './redact.ts';
import type { Correction, Target } from './schemas.ts';

/**
 * The text-bearing fields of a Target that redaction and hashing touch; other fields pass through
 * untouched. (The index signature keeps TypeScript from treating this all-optional type as a "weak
 * type" that rejects a target carrying none of these fields.)
 */
export type TargetText = Pick<Target, 'prompt' | 'output' | 'messages' | 'alternatives' | 'quote' | 'promptHash' | 'outputHash'> &
  Record<string, unknown>;

/** Anything shaped like FeedbackInput (or Feedback) as far as its free text goes. */
export interface RedactableFeedback {
  target: TargetText;
  comment?: string | undefined;
  correction?: Correction | null | undefined;
}

/** A copy of a JSON value with every string in it passed through `r`. */
function redactStrings(value: unknown, r: (s: string) => string): unknown {
  if (typeof value === 'string') return r(value);
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, r));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v, r)]));
  }
  return value;
}

/** A copy of `record` with the value at a dot path replaced (each object on the way copied, never mutated). */
function withValueAt<T>(record: T, path: readonly string[], value: unknown): T {
  const [head, ...rest] = path;
  const copy = { ...(record as Record<string, unknown>) };
  copy[head!] = rest.length === 0 ? value : withValueAt(copy[head!], rest, value);
  return copy as T;
}

/** A copy of a feedback record with all its free text redacted, and what was found. */
export function redactFeedbackText<T extends RedactableFeedback>(feedback: T, options: RedactOptions = {}): { feedback: T; counts: RedactionCounts } {
  const counts = emptyCounts();
  const r = (s: string): string => {
    const res = redact(s, options);
    addCounts(counts, res.counts);
    return res.text;
  };
  let next = feedback;
  for (const path of REDACTED_PATHS) {
    const value = valueAt(next, path);
    if (value === undefined || value === null) continue;
    next = withValueAt(next, path.split('.'), redactStrings(value, r));
  }
  return { feedback: next, counts };
}
