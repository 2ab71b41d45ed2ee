/**
 * Search over prompts, answers, comments, corrections and notes. `searchBackendFor(db)` picks the
 * implementation for the store's dialect; the index follows feedback through `lexical` jobs on the
 * work queue (search/lexical-jobs.ts), and a search indexes what is still queued before it reads.
 * `searchWorkspace` adds semantic search when an embeddings endpoint is configured (semantic/,
 * docs/decisions/0041-semantic-search-and-work-queue.md).
 */
import { SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../store/schema.ts';
import type { IndexableEvent, SearchBackend, SearchOptions } from './backend.ts';
import { catchUpLexical } from './lexical-jobs.ts';
import { postgresFtsSearch } from './postgres-fts.ts';
import { sqliteFtsSearch } from './sqlite-fts.ts';
import type { EmbeddingsConfig } from './semantic/config.ts';
import { fuseHits, liveFeedback, semanticHits, type HybridHit } from './semantic/hybrid.ts';
import { semanticNeighbours } from './semantic/search.ts';

export type { IndexableEvent, SearchBackend, SearchHit, SearchOptions, SearchSource } from './backend.ts';
export { LEXICAL_BACKENDS, SEARCH_SOURCES } from './backend.ts';
export type { SnippetPart } from './query.ts';

export function searchBackendFor(db: Kysely<DB> | Transaction<DB>): SearchBackend {
  return db.getExecutor().adapter instanceof SqliteAdapter ? sqliteFtsSearch : postgresFtsSearch;
}

/**
 * Makes appended trace events searchable: call it inside the transaction that inserts them
 * (server/store/trace-events.ts does), so the index moves with the trace. `feedback.*` events are
 * skipped (the feedback record they store is indexed). Erased or expired events leave the index by
 * trigger (migration 0180), whatever code deletes them.
 */
export async function indexTraceEvents(trx: Kysely<any> | Transaction<any>, events: IndexableEvent[]): Promise<void> {
  if (events.length) await searchBackendFor(trx).indexEvents(trx, events);
}


export type SearchMode = 'hybrid' | 'lexical';

export interface WorkspaceSearchOptions extends SearchOptions {
  /** The embeddings endpoint (env EMBEDDINGS_*); null or absent: lexical only, with a warning. */
  embeddings?: EmbeddingsConfig | null;
}

export interface WorkspaceSearchResult {
  query: string;
  /** hybrid: lexical and semantic results fused; lexical: the text index alone (see warnings). */
  mode: SearchMode;
  backend: SearchBackend['name'];
  /** Why the search was not hybrid (not configured, the endpoint did not answer). */
  warnings: string[];
  hits: (HybridHit & { rating?: { thumb?: 'up' | 'down'; stars?: number; label?: string }; kind?: string })[];
}

/** Lexical candidates fused with the semantic ones (more than a page, so fusion can reorder). */
const FUSION_CANDIDATES = 100;

/**
 * Searches one workspace: the lexical backend and, when an embeddings endpoint is configured and
 * answers, the nearest records by meaning, fused by reciprocal rank and boosted for recency and
 * rating (semantic/hybrid.ts). Keeps only hits whose record is still live (a path that changed
 * rows without going through applyMutations cannot resurface erased text), with each feedback
 * hit's rating and kind attached for display.
 */
export async function searchWorkspace(
  db: Kysely<DB>,
  workspaceId: string,
  q: string,
  opts: WorkspaceSearchOptions,
): Promise<WorkspaceSearchResult> {
  const { embeddings, ...lexicalOpts } = opts;
  const now = opts.now ?? Date.now();
  const backend = searchBackendFor(db);
  // What this server committed before the search is indexed first (search/lexical-jobs.ts).
  await catchUpLexical(db);
  const [lexical, semantic] = await Promise.all([
    backend.search(db, workspaceId, q, { ...lexicalOpts, limit: Math.max(opts.limit, FUSION_CANDIDATES) }),
    semanticNeighbours(db, embeddings ?? null, workspaceId, q, { subject: opts.subject }),
  ]);
  const ids = [...lexical.filter((h) => h.source === 'feedback').map((h) => h.id), ...(semantic.ok ? semantic.neighbours.map((n) => n.feedbackId) : [])];
  const live = await liveFeedback(db, workspaceId, ids);
  const ranked: HybridHit[] = semantic.ok
    ? fuseHits(lexical, semanticHits(semantic.neighbours, live, q, now), now)
    : lexical.map((h) => ({ ...h, matchedBy: ['lexical'] }));
  return {
    query: q,
    mode: semantic.ok ? 'hybrid' : 'lexical',
    backend: backend.name,
    warnings: semantic.ok ? [] : [semantic.warning],
    hits: ranked
      .flatMap((h) => {
        if (h.source !== 'feedback') return [h];
        const row = live.get(h.id);
        if (!row) return [];
        const rating = {
          ...(row.thumb ? { thumb: row.thumb } : {}),
          ...(row.stars != null ? { stars: row.stars } : {}),
          ...(row.label ? { label: row.label } : {}),
        };
        return [{ ...h, rating, kind: row.kind }];
      })
      .slice(0, opts.limit),
  };
}
