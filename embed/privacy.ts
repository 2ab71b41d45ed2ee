/**
 * Privacy in the embed, as in the extension (extension/background/privacy.ts, applyPrivacy), before
 * anything is written to the page's IndexedDB: SHA-256 hashes of the original prompt and output, then
 * "hashes only" if the element asks for it (no page text at all), then the extension's redaction
 * (shared/redact.ts: secrets and personal data become placeholders) of the prompt, the output, the
 * comment and the correction, then the protocol's limits.
 *
 * It calls redact() on those four texts directly rather than shared/redact-feedback.ts, whose field
 * list (shared/feedback-fields.ts) imports the zod schemas, ~95 KB gzip; an embed target carries no
 * other text (no messages, alternatives or quote). privacy.test.ts checks the result is the same
 * as redactFeedbackText's.
 */
import { LIMITS } from '../shared/limits.ts';
import { redact } from '../shared/redact.ts';
import { sha256Hex } from '../shared/hash.ts';
import type { Correction, Rating, Target } from '../shared/schemas.ts';
import type { RatingInput } from '../extension/outbox/outbox.ts';

export interface EmbedDraft {
  target: Target;
  rating: Rating;
  comment?: string;
  correction?: Correction;
  criterion?: string;
}

const clip = (s: string, max: number = LIMITS.textMaxChars) => (s.length > max ? s.slice(0, max) : s);
const r = (s: string) => redact(s).text;

/** A copy of a JSON value with every string in it redacted (correction.fields). */
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return r(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)]));
  return value;
}

export async function applyEmbedPrivacy(draft: EmbedDraft, options: { hashesOnly?: boolean } = {}): Promise<RatingInput> {
  const target: Target = { ...draft.target };
  if (target.prompt !== undefined) target.promptHash ??= await sha256Hex(target.prompt);
  if (target.output !== undefined) target.outputHash ??= await sha256Hex(target.output);
  let correction = draft.correction ? { ...draft.correction } : undefined;
  if (options.hashesOnly) {
    delete target.prompt;
    delete target.output;
    if (correction) delete correction.output;
    if (correction && !correction.fields) correction = undefined;
  }
  if (target.prompt !== undefined) target.prompt = clip(r(target.prompt));
  if (target.output !== undefined) target.output = clip(r(target.output));
  if (correction?.output !== undefined) correction.output = clip(r(correction.output));
  if (correction?.fields) correction.fields = redactStrings(correction.fields) as Correction['fields'];
  const comment = draft.comment !== undefined ? r(draft.comment).slice(0, LIMITS.commentMaxChars) : undefined;
  return {
    target,
    rating: draft.rating,
    ...(comment ? { comment } : {}),
    ...(correction ? { correction } : {}),
    ...(draft.criterion ? { criterion: draft.criterion } : {}),
  };
}
