import { sql, type Kysely } from 'kysely';

/**
 * Filtered lists from indexes (issue 19, item 4): one index per filtered column, in the list's
 * order, with the closed-valued columns riding at the end. The list is derived from the filter
 * description by server/store/filter-indexes.ts (FILTER_INDEXES, which says why each column is
 * there); written out here because a migration is frozen (ADR 0031), and
 * server/store/filter-indexes.test.ts checks that a migrated store has exactly the derived ones.
 *
 * Three older indexes are each a prefix of a new one and go: PostgreSQL's planner took the narrower
 * one and filtered on the table (52 ms for `model=M&thumb=down` at 300k rows), where the new one
 * tests `thumb` on its entries; and every index is one more write per record.
 * (feedback_ws_subject stays: a search test rewinds migration 0060 by dropping it.)
 */
const SUPERSEDED: readonly [string, readonly string[]][] = [
  ['feedback_ws_model', ['workspace_id', 'model', 'created_at']],
  ['feedback_ws_rater', ['workspace_id', 'rater_id', 'created_at']],
  ['feedback_ws_conversation', ['workspace_id', 'conversation_id', 'created_at']],
];
const INDEXES: readonly [string, readonly string[]][] = [
  ['feedback_filter_rater_id', ['workspace_id', 'rater_id', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_kind', ['workspace_id', 'kind', 'created_at', 'id', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_site', ['workspace_id', 'site', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_model', ['workspace_id', 'model', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_intent', ['workspace_id', 'intent', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_project', ['workspace_id', 'project', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_subject', ['workspace_id', 'subject', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_conversation_id', ['workspace_id', 'conversation_id', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_thumb', ['workspace_id', 'thumb', 'created_at', 'id', 'kind', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_stars', ['workspace_id', 'stars', 'created_at', 'id', 'kind', 'thumb', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_label', ['workspace_id', 'label', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_criterion', ['workspace_id', 'criterion', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_source_type', ['workspace_id', 'source_type', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_source_channel', ['workspace_id', 'source_channel', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'has_correction', 'deleted']],
  ['feedback_filter_source_name', ['workspace_id', 'source_name', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_queue_id', ['workspace_id', 'queue_id', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'has_correction', 'deleted']],
  ['feedback_filter_has_correction', ['workspace_id', 'has_correction', 'created_at', 'id', 'kind', 'thumb', 'stars', 'source_type', 'source_channel', 'deleted']],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of INDEXES) await db.schema.createIndex(name).ifNotExists().on('feedback').columns([...columns]).execute();
  for (const [name] of SUPERSEDED) await db.schema.dropIndex(name).ifExists().execute();
  // Fresh statistics, so the planner takes the most selective filter's index (SQLite: sqlite_stat1/4).
  await sql`ANALYZE feedback`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of SUPERSEDED) await db.schema.createIndex(name).ifNotExists().on('feedback').columns([...columns]).execute();
  for (const [name] of INDEXES) await db.schema.dropIndex(name).ifExists().execute();
}
