/** What a deleted record keeps: its identity, rating and times, never its text (ADR 0013). */
import type { FeedbackInput } from '../../shared/schemas.ts';

/**
 * What a tombstone keeps of its record, and what a deletion leaves of the record's events: the
 * target's identity, the rating and the times — what the rater's other devices need to take the
 * vote off their page (GET /v1/feedback?includeDeleted=true) — and none of its text (prompt,
 * earlier turns, output, alternatives, quote, url, context, comment, correction, tags). ADR 0013.
 */
export function withoutText(json: string | null, updatedAt?: string): string | null {
  if (!json) return null;
  let r: FeedbackInput;
  try {
    r = JSON.parse(json) as FeedbackInput;
  } catch {
    return null;
  }
  if (!r || typeof r !== 'object' || !r.target) return null;
  const t = r.target;
  return JSON.stringify({
    id: r.id,
    target: {
      kind: t.kind,
      key: t.key,
      ...(t.site !== undefined ? { site: t.site } : {}),
      ...(t.conversationId !== undefined ? { conversationId: t.conversationId } : {}),
    },
    rating: r.rating,
    createdAt: r.createdAt,
    updatedAt: updatedAt ?? r.updatedAt,
  });
}
