/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009,
 * https://plg.uwaterloo.ca/~gvcormac/cormacksigir09-rrf.pdf): each list contributes
 * 1 / (K + rank) for every hit it holds, so a hit both lists rank well beats one that only one
 * list ranks first, and the scales of bm25, ts_rank_cd and cosine never have to be compared.
 * The fused value is the relevance that rank.ts then boosts for recency and rating (001: "merge
 * results, boost by recency and feedback score"), exactly once.
 */
export const RRF_K = 60;

export interface Ranked<T> {
  key: string;
  hit: T;
}

export interface Fused<T> {
  key: string;
  /** The first list's hit when it has one (its snippet marks the words), else the other's. */
  hit: T;
  rrf: number;
  /** 1-based rank in each list, absent where the list does not hold the hit. */
  ranks: (number | undefined)[];
}

/** Fuses ranked lists (each best first); the result is in no particular order. */
export function reciprocalRankFusion<T>(lists: Ranked<T>[][], k = RRF_K): Fused<T>[] {
  const out = new Map<string, Fused<T>>();
  lists.forEach((list, li) => {
    list.forEach(({ key, hit }, i) => {
      let f = out.get(key);
      if (!f) out.set(key, (f = { key, hit, rrf: 0, ranks: lists.map(() => undefined) }));
      if (f.ranks[li] !== undefined) return; // a list names a key once
      f.ranks[li] = i + 1;
      f.rrf += 1 / (k + i + 1);
    });
  });
  return [...out.values()];
}
