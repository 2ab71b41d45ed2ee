/**
 * Final ordering of search hits: one per rated target, text relevance first, nudged towards recent
 * and well-rated records (001: "boost by recency and feedback score"; a target's feedback score is
 * the mean rating of its live records). The boosts multiply, so a strong text match is never buried under weak recent ones:
 * together they can at most multiply relevance by 2.25 (a record rated 1.0 written today).
 */
export const RECENCY_HALF_LIFE_DAYS = 30;
export const RECENCY_WEIGHT = 0.5;
export const QUALITY_WEIGHT = 0.5;
/** Notes and records without a rating count as middling. */
export const NEUTRAL_QUALITY = 0.5;

/** 1 for thumbs up or five stars, 0 for thumbs down or one star; the mean of both when both are set. */
export function qualityOf(rating: { thumb?: 'up' | 'down' | null; stars?: number | null }): number | null {
  const parts: number[] = [];
  if (rating.thumb) parts.push(rating.thumb === 'up' ? 1 : 0);
  if (rating.stars != null) parts.push((rating.stars - 1) / 4);
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}

export function boostedScore(relevance: number, at: string, quality: number | null, now: number = Date.now()): number {
  const ageDays = Math.max(0, (now - Date.parse(at)) / 86_400_000);
  const recency = Number.isFinite(ageDays) ? 0.5 ** (ageDays / RECENCY_HALF_LIFE_DAYS) : 0;
  return relevance * (1 + RECENCY_WEIGHT * recency) * (1 + QUALITY_WEIGHT * (quality ?? NEUTRAL_QUALITY));
}

/** How many best text matches a backend reads before keeping one per target (then CANDIDATES of them). */
export const MATCH_POOL = 1000;
/** How many candidates (one per target) get re-ranked with the boosts. */
export const CANDIDATES = 200;

/**
 * One candidate per rated target: rows come best match first, and the first row of each target key
 * stands for it (notes and events, without a target, stand for themselves). At most CANDIDATES.
 */
export function onePerTarget<T extends { doc_key: string; target_key: string | null }>(rows: T[], max = CANDIDATES): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const r of rows) {
    const key = r.target_key === null ? `doc:${r.doc_key}` : `target:${r.target_key}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
    if (out.length === max) break;
  }
  return out;
}

/** What the rated target's live records say together: how many there are and their mean rating. */
export interface TargetTally {
  ratings: number;
  quality: number | null;
}
