/**
 * The "hashes only" privacy mode: a copy of a record whose target carries promptHash / outputHash
 * (SHA-256 hex of the ORIGINAL prompt and output, so call this before redacting) and no page text:
 * the target's redacted texts (shared/feedback-fields.ts: prompt, output, messages, alternatives,
 * quote) and correction.output are dropped. The rater's own comment and correction.fields stay; pass
 * the result through redactFeedbackText (redact-feedback.ts) to redact them.
 */
import { REDACTED_PATHS } from './feedback-fields.ts';
import { sha256Hex } from './hash.ts';
import type { RedactableFeedback, TargetText } from './redact-feedback.ts';

/** The page's text in a target: what the rater read, not what they wrote. */
const PAGE_TEXT = REDACTED_PATHS.filter((p) => p.startsWith('target.')).map((p) => p.slice('target.'.length));

export async function hashesOnly<T extends RedactableFeedback>(feedback: T): Promise<T> {
  const { prompt, output } = feedback.target;
  const target: TargetText = { ...feedback.target };
  for (const key of PAGE_TEXT) delete target[key];
  if (prompt !== undefined) target.promptHash = await sha256Hex(prompt);
  if (output !== undefined) target.outputHash = await sha256Hex(output);
  const next = { ...feedback, target } as T;
  if (feedback.correction) {
    const { output: _o, ...correction } = feedback.correction;
    if (Object.keys(correction).length > 0) next.correction = correction;
    else delete next.correction;
  }
  return next;
}
