/**
 * Privacy on the device, applied to every rating before it is queued (so nothing unredacted is
 * ever written to the outbox): hashes of the original prompt and output, then "hashes only" (no
 * page text at all) if chosen, then redaction of what text remains (on by default). Finally the
 * texts are fitted to the protocol's limits, so the server can accept the record.
 */
import { LIMITS } from '../../shared/limits.ts';
import { hashesOnly } from '../../shared/hashes-only.ts';
import { redactFeedbackText } from '../../shared/redact-feedback.ts';
import { sha256Hex } from '../../shared/hash.ts';
import type { ChatMessage, Rating, Target } from '../../shared/schemas.ts';
import { CLIPPED_TARGET_TEXT, type TextSpec } from '../../shared/feedback-fields.ts';
import type { RatingDraft } from '../messages.ts';
import type { RatingInput } from '../outbox/outbox.ts';
import type { Privacy } from './settings.ts';

const clip = (s: string, max: number = LIMITS.textMaxChars) => (s.length > max ? s.slice(0, max) : s);

/** One target text fitted to its limit, by its shape (shared/feedback-fields.ts, `text`). */
function fitText(value: unknown, { clip: limit, shape }: TextSpec): unknown {
  const max = LIMITS[limit];
  switch (shape) {
    case 'string':
      return clip(value as string, max);
    case 'list':
      return (value as string[]).slice(0, LIMITS.alternativesMax).map((a) => clip(a, max));
    case 'messages':
      return (value as ChatMessage[]).slice(-LIMITS.messagesMax).map((m) => ({ ...m, content: clip(m.content, max) }));
    case 'quote': {
      const q = value as NonNullable<Target['quote']>;
      const next = { ...q, exact: clip(q.exact, max) };
      if (q.prefix !== undefined) next.prefix = clip(q.prefix, 1000);
      if (q.suffix !== undefined) next.suffix = clip(q.suffix, 1000);
      return next;
    }
  }
}

/**
 * Keeps the newest turns and clips every text to the limits (a huge page must not make a rating
 * unsendable): every target text the description lists (CLIPPED_TARGET_TEXT), by its shape.
 */
export function fitTarget(target: Target): Target {
  const t: Record<string, unknown> = { ...target };
  for (const { key, text } of CLIPPED_TARGET_TEXT) if (t[key] !== undefined) t[key] = fitText(t[key], text);
  return t as Target;
}

/** A draft (with a rating) turned into what the outbox stores, per the rater's privacy settings. */
export async function applyPrivacy(draft: RatingDraft & { rating: Rating }, privacy: Privacy): Promise<RatingInput> {
  let feedback = {
    target: { ...draft.target },
    ...(draft.comment !== undefined ? { comment: draft.comment } : {}),
    ...(draft.correction !== undefined ? { correction: draft.correction } : {}),
  };
  // Hashes of the original texts let the server group ratings of the same answer without reading it
  // (already there when clipOverlongDraft had to shorten the text).
  if (feedback.target.prompt !== undefined) feedback.target.promptHash ??= await sha256Hex(feedback.target.prompt);
  if (feedback.target.output !== undefined) feedback.target.outputHash ??= await sha256Hex(feedback.target.output);
  if (privacy.hashesOnly) feedback = await hashesOnly(feedback);
  if (privacy.redact) feedback = redactFeedbackText(feedback).feedback;
  return {
    target: fitTarget(feedback.target),
    rating: draft.rating,
    ...(feedback.comment !== undefined ? { comment: feedback.comment.slice(0, LIMITS.commentMaxChars) } : {}),
    ...(feedback.correction !== undefined ? { correction: feedback.correction } : {}),
    ...(draft.tags ? { tags: draft.tags } : {}),
  };
}

/**
 * Before a `rate` message is validated: an answer longer than the protocol allows is shortened
 * rather than refused (hashing the full prompt and output first), so a very long page can still
 * be rated. Anything that is not shaped like a rate message is returned untouched for zod to judge.
 */
export async function clipOverlongDraft(raw: unknown): Promise<unknown> {
  const msg = raw as { type?: unknown; draft?: { target?: Record<string, unknown> } } | null;
  const target = msg && msg.type === 'rate' && msg.draft && typeof msg.draft.target === 'object' ? msg.draft.target : undefined;
  if (!target) return raw;
  const long = (v: unknown) => typeof v === 'string' && v.length > LIMITS.textMaxChars;
  const next: Record<string, unknown> = { ...target };
  if (long(target.prompt)) {
    next.promptHash = await sha256Hex(target.prompt as string);
    next.prompt = (target.prompt as string).slice(0, LIMITS.textMaxChars);
  }
  if (long(target.output)) {
    next.outputHash = await sha256Hex(target.output as string);
    next.output = (target.output as string).slice(0, LIMITS.textMaxChars);
  }
  if (Array.isArray(target.messages)) {
    next.messages = target.messages.slice(-LIMITS.messagesMax).map((m: unknown) => {
      const c = (m as { content?: unknown })?.content;
      return long(c) ? { ...(m as object), content: (c as string).slice(0, LIMITS.textMaxChars) } : m;
    });
  }
  if (Array.isArray(target.alternatives)) {
    next.alternatives = target.alternatives.slice(0, LIMITS.alternativesMax).map((a: unknown) => (long(a) ? (a as string).slice(0, LIMITS.textMaxChars) : a));
  }
  return { ...msg, draft: { ...msg!.draft, target: next } };
}
