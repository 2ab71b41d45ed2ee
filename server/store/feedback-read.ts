/** Reading feedback back: one record, and the filtered, keyset-paginated list. */
import type { Kysely } from 'kysely';
import type { Feedback, FeedbackInput } from '../../shared/schemas.ts';
import type { DB, FeedbackTable } from './schema.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export function rowToFeedback(row: FeedbackTable): Feedback {
  const record = JSON.parse(row.record ?? '{}') as FeedbackInput;
  return {
    ...record,
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

export interface ListFilters {
  since?: string;
  until?: string;
  model?: string;
  site?: string;
  /** target.conversationId: a rater's extension reads its own ratings in the conversation it opens. */
  conversationId?: string;
  kind?: string;
  rater?: string;
  thumb?: 'up' | 'down';
  minStars?: number;
  maxStars?: number;
  includeDeleted?: boolean;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paginated on (created_at, id). `cursor` must come from decodeCursor. */
export async function listFeedback(
  db: Kysely<DB>,
  scope: Scope,
  f: ListFilters,
): Promise<{ items: (Feedback | Tombstone)[]; nextCursor: string | null }> {
  let q = db.selectFrom('feedback').selectAll().where('workspace_id', '=', scope.workspaceId);
  if (scope.raterId) q = q.where('rater_id', '=', scope.raterId);
  if (!f.includeDeleted) q = q.where('deleted', '=', 0);
  if (f.since) q = q.where('created_at', '>=', f.since);
  if (f.until) q = q.where('created_at', '<', f.until);
  if (f.model) q = q.where('model', '=', f.model);
  if (f.site) q = q.where('site', '=', f.site);
  // With a rater scope this walks feedback_ws_rater_conversation (migration 0090) in list order.
  if (f.conversationId) q = q.where('conversation_id', '=', f.conversationId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.rater) q = q.where('rater_id', '=', f.rater);
  if (f.thumb) q = q.where('thumb', '=', f.thumb);
  if (f.minStars !== undefined) q = q.where('stars', '>=', f.minStars);
  if (f.maxStars !== undefined) q = q.where('stars', '<=', f.maxStars);
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    if (c) {
      const [createdAt, id] = c;
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
      );
    }
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
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
