/**
 * What of a record is embedded: its prompt, answer, comment and correction (the fields lexical
 * search reads, backend.ts feedbackTexts), in one text, cut to MAX_EMBED_CHARS. The hash tells the
 * projection and the worker whether a change touched the text (a re-vote does not: no new vector).
 */
import { createHash } from 'node:crypto';
import type { FeedbackInput } from '../../../shared/schemas.ts';
import { feedbackTexts } from '../backend.ts';

/** About 2,000 tokens: enough for the gist, under every common model's input limit. */
export const MAX_EMBED_CHARS = 8_000;

export function embedText(record: FeedbackInput): string {
  const t = feedbackTexts(record);
  return [t.prompt, t.answer, t.comment, t.correction].map((s) => s.trim()).filter(Boolean).join('\n').slice(0, MAX_EMBED_CHARS);
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The record's text from its stored JSON, or null for a tombstone or a record without text. */
export function embedTextOfRow(record: string | null): string | null {
  if (!record) return null;
  const text = embedText(JSON.parse(record) as FeedbackInput);
  return text ? text : null;
}
