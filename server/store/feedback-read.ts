/** Reading feedback back: one record, and the filtered (feedback-filters.ts), keyset-paginated list. */
import { SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import { chunks } from '../lib/chunks.ts';
import { DEFAULT_CRITERION, type Feedback, type FeedbackInput } from '../../shared/schemas.ts';
import type { DB, FeedbackTable } from './schema.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { applyFeedbackFilters, type FilterValues } from './feedback-filters.ts';
import { sqliteFastPath } from './sqlite-fast-path.ts';

export function rowToFeedback(row: FeedbackTable): Feedback {
  const record = JSON.parse(row.record ?? '{}') as FeedbackInput;
  return {
    ...record,
    // Stored only when sent (an old record hashes as before); read back always, `overall` by default.
    criterion: record.criterion ?? DEFAULT_CRITERION,
    source: { type: row.source_type, channel: row.source_channel, ...(row.source_name ? { name: row.source_name } : {}) },
    receivedAt: row.received_at,
    raterId: row.rater_id,
    workspaceId: row.workspace_id,
    clientId: row.client_id,
    ...(row.deleted ? { deleted: true } : {}),
  };
}

/** A tombstone as the list endpoint shows it when asked for deletions. */
export interface Tombstone {
  id: string;
  deleted: true;
  updatedAt: string;
  receivedAt: string;
  raterId: string;
  workspaceId: string;
}

export interface Scope {
  workspaceId: string;
  /** Set for raters: they see only their own records. */
  raterId?: string;
}

export async function getFeedbackRow(db: Kysely<DB>, scope: Scope, id: string): Promise<FeedbackTable | undefined> {
  let q = db.selectFrom('feedback').selectAll().where('id', '=', id).where('workspace_id', '=', scope.workspaceId);
  if (scope.raterId) q = q.where('rater_id', '=', scope.raterId);
  return q.executeTakeFirst();
}

/** The list's filters (shared/filters.ts) and its paging. */
export interface ListFilters extends FilterValues {
  includeDeleted?: boolean;
  limit: number;
  cursor?: string;
  /** Records to skip (offset paging, as 003's get_filtered); the route refuses it with a cursor. */
  offset?: number;
}

/** Newest first, keyset-paginated on (created_at, id), or paged by `offset`. `cursor` must come from decodeCursor. */
export async function listFeedback(
  db: Kysely<DB>,
  scope: Scope,
  f: ListFilters,
): Promise<{ items: (Feedback | Tombstone)[]; nextCursor: string | null }> {
  let q = db.selectFrom('feedback').selectAll().where('workspace_id', '=', scope.workspaceId);
  if (scope.raterId) q = q.where('rater_id', '=', scope.raterId);
  if (!f.includeDeleted) q = q.where('deleted', '=', 0);
  // With a rater scope and conversationId this walks feedback_ws_rater_conversation (migration 0090) in list order.
  // One filter index (filter-indexes.ts) walked in list order; the planner takes the most selective.
  q = applyFeedbackFilters(q, f, { timeOrdered: true, closedOnEntries: db.getExecutor().adapter instanceof SqliteAdapter });
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    if (c) {
      const [createdAt, id] = c;
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
      );
    }
  }
  let ordered = q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
  if (f.offset) ordered = ordered.offset(f.offset);
  const rows = await ordered.execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) =>
      row.deleted && !row.record
        ? { id: row.id, deleted: true as const, updatedAt: row.updated_at, receivedAt: row.received_at, raterId: row.rater_id, workspaceId: row.workspace_id }
        : rowToFeedback(row),
    ),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last) : null,
  };
}

/**
 * The stored rows of these ids in one workspace, inside a transaction (a write's plan, the lexical
 * indexer). SQLite (a store's own connection): one primary-key lookup each, prepared once, instead
 * of an `in (…)` list Kysely compiles anew for every batch (sqlite-fast-path.ts).
 */
export async function rowsByIds(trx: Transaction<DB>, workspaceId: string, ids: string[]): Promise<FeedbackTable[]> {
  const fast = sqliteFastPath(trx);
  if (fast) {
    const one = fast.prepare('select * from feedback where workspace_id = ? and id = ?');
    return ids.flatMap((id) => (one.get(workspaceId, id) as FeedbackTable | undefined) ?? []);
  }
  const out: FeedbackTable[] = [];
  for (const part of chunks(ids, 500)) {
    out.push(...(await trx.selectFrom('feedback').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', part).execute()));
  }
  return out;
}
