/**
 * Search over prompts, answers, comments, corrections and notes. `searchBackendFor(db)` picks the
 * implementation for the store's dialect; `searchIndexing` is one of the projections every opened
 * store runs (store/projections.ts), so the index moves in the same transaction as every accepted change.
 */
import { SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import type { DB } from '../store/schema.ts';
import type { SearchBackend, SearchHit, SearchOptions } from './backend.ts';
import { likeSearch } from './like-search.ts';
import { sqliteFtsSearch } from './sqlite-fts.ts';

export type { SearchBackend, SearchHit, SearchOptions, SearchSource } from './backend.ts';
export type { SnippetPart } from './query.ts';

export function searchBackendFor(db: Kysely<DB> | Transaction<DB>): SearchBackend {
  return db.getExecutor().adapter instanceof SqliteAdapter ? sqliteFtsSearch : likeSearch;
}

/** The change listener (store/projections.ts attaches it to every opened store). */
export async function searchIndexing(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  await searchBackendFor(trx).indexFeedback(trx, changes);
}

export interface WorkspaceSearchResult {
  query: string;
  backend: SearchBackend['name'];
  hits: (SearchHit & { rating?: { thumb?: 'up' | 'down'; stars?: number; label?: string }; kind?: string })[];
}

/**
 * Searches one workspace and keeps only hits whose record is still live (a path that changed rows
 * without going through applyMutations cannot resurface erased text), with each feedback hit's
 * rating and kind attached for display.
 */
export async function searchWorkspace(
  db: Kysely<DB>,
  workspaceId: string,
  q: string,
  opts: SearchOptions,
): Promise<WorkspaceSearchResult> {
  const backend = searchBackendFor(db);
  const hits = await backend.search(db, workspaceId, q, opts);
  const feedbackIds = hits.filter((h) => h.source === 'feedback').map((h) => h.id);
  const live = new Map<string, { thumb: 'up' | 'down' | null; stars: number | null; label: string | null; kind: string }>();
  if (feedbackIds.length) {
    const rows = await db
      .selectFrom('feedback')
      .select(['id', 'thumb', 'stars', 'label', 'kind'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0)
      .where('record', 'is not', null)
      .where('id', 'in', feedbackIds)
      .execute();
    for (const r of rows) live.set(r.id, r);
  }
  return {
    query: q,
    backend: backend.name,
    hits: hits.flatMap((h) => {
      if (h.source !== 'feedback') return [h];
      const row = live.get(h.id);
      if (!row) return [];
      const rating = {
        ...(row.thumb ? { thumb: row.thumb } : {}),
        ...(row.stars != null ? { stars: row.stars } : {}),
        ...(row.label ? { label: row.label } : {}),
      };
      return [{ ...h, rating, kind: row.kind }];
    }),
  };
}
