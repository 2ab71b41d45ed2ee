/**
 * Hybrid ranking (searchWorkspace in ../index.ts): the lexical backend's hits and the semantic
 * neighbours become one list. Neighbours are grouped per rated target as lexical hits are (one hit
 * per target, its best record standing for it), the two lists are fused by reciprocal rank
 * (fuse.ts: lexical by text relevance, semantic by cosine), and the fused value is boosted once for
 * recency and rating (rank.ts), as Dataing's design asks (seed 001, "Hybrid Search").
 */
import type { Kysely } from 'kysely';
import type { DB, FeedbackTable } from '../../store/schema.ts';
import type { SearchHit } from '../backend.ts';
import { parseQuery, snippetOf } from '../query.ts';
import { boostedScore, qualityOf } from '../rank.ts';
import { reciprocalRankFusion, type Ranked } from './fuse.ts';
import { embedTextOfRow } from './text.ts';
import type { Neighbour } from './vectors.ts';
import { chunks } from '../../lib/chunks.ts';

export type MatchedBy = 'lexical' | 'semantic';

export interface HybridHit extends SearchHit {
  /** Which halves found it. */
  matchedBy: MatchedBy[];
  /** Cosine similarity of its best record to the query (semantic matches only). */
  similarity?: number;
}

/** A live feedback row (every column: the hit's display fields, its rating, its text). */
export type LiveFeedback = FeedbackTable;

/** The live feedback rows among `ids` (deleted or erased ones are absent). */
export async function liveFeedback(db: Kysely<DB>, workspaceId: string, ids: string[]): Promise<Map<string, LiveFeedback>> {
  const live = new Map<string, LiveFeedback>();
  for (const part of chunks([...new Set(ids)], 500)) {
    const rows = await db
      .selectFrom('feedback')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0)
      .where('record', 'is not', null)
      .where('id', 'in', part)
      .execute();
    for (const r of rows) live.set(r.id, r);
  }
  return live;
}

/** Neighbours (best first) as hits, one per rated target; ranked by similarity. */
export function semanticHits(neighbours: Neighbour[], live: Map<string, LiveFeedback>, q: string, now: number): (SearchHit & { similarity: number })[] {
  const terms = parseQuery(q);
  const byTarget = new Map<string, { best: Neighbour; row: LiveFeedback; qualities: number[]; n: number }>();
  for (const nb of neighbours) {
    const row = live.get(nb.feedbackId);
    if (!row) continue;
    const key = row.target_key || row.id;
    const g = byTarget.get(key) ?? { best: nb, row, qualities: [], n: 0 };
    g.n++;
    const quality = qualityOf(row);
    if (quality !== null) g.qualities.push(quality);
    byTarget.set(key, g);
  }
  return [...byTarget.values()].map(({ best, row, qualities, n }) => {
    const quality = qualities.length ? qualities.reduce((a, b) => a + b, 0) / qualities.length : null;
    return {
      source: 'feedback' as const,
      id: row.id,
      targetKey: row.target_key || null,
      ratings: n,
      subject: row.subject,
      model: row.model,
      at: row.created_at,
      quality,
      relevance: best.similarity,
      score: boostedScore(best.similarity, row.created_at, quality, now),
      snippet: snippetOf(embedTextOfRow(row.record) ?? '', terms),
      similarity: best.similarity,
    };
  });
}

const keyOf = (h: SearchHit) => (h.source === 'feedback' ? `target:${h.targetKey ?? h.id}` : `${h.source}:${h.id}`);

/** Fuses both lists, boosts once, best first. */
export function fuseHits(lexical: SearchHit[], semantic: (SearchHit & { similarity: number })[], now: number): HybridHit[] {
  const lex: Ranked<SearchHit>[] = [...lexical].sort((a, b) => b.relevance - a.relevance).map((hit) => ({ key: keyOf(hit), hit }));
  const sem: Ranked<SearchHit>[] = [...semantic].sort((a, b) => b.relevance - a.relevance).map((hit) => ({ key: keyOf(hit), hit }));
  const similarity = new Map(semantic.map((h) => [keyOf(h), h.similarity]));
  return reciprocalRankFusion([lex, sem])
    .map(({ key, hit, rrf, ranks }) => {
      const matchedBy: MatchedBy[] = [];
      if (ranks[0] !== undefined) matchedBy.push('lexical');
      if (ranks[1] !== undefined) matchedBy.push('semantic');
      const sim = similarity.get(key);
      return {
        ...hit,
        relevance: rrf,
        score: boostedScore(rrf, hit.at, hit.quality, now),
        matchedBy,
        ...(sim !== undefined ? { similarity: sim } : {}),
      };
    })
    .sort((a, b) => b.score - a.score);
}
