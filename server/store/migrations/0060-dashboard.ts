import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Dashboard sign-in sessions, notes on subjects, an index for per-subject reads, and (SQLite only)
 * the FTS5 search index. Frozen once shipped: the SQL below is written out here on purpose, not
 * imported, so a later change to the search code cannot change what this migration did.
 * See docs/decisions/0019-dashboard-server-rendered-and-search.md.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dashboard_sessions')
    // SHA-256 of the cookie's random secret: a copied database holds no usable session.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('csrf', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dashboard_sessions_token').on('dashboard_sessions').columns(['token_id']).execute();

  await db.schema
    .createTable('subject_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_rater_id', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subject_notes_ws_subject').on('subject_notes').columns(['workspace_id', 'subject', 'created_at']).execute();

  await db.schema.createIndex('feedback_ws_subject').on('feedback').columns(['workspace_id', 'subject', 'created_at']).execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) await createSqliteSearch(db);
}

/**
 * search_docs holds one row per searchable thing (a feedback record or a note) with what ranking
 * needs; search_fts holds its text, under the same integer rowid, so an update is a delete and an
 * insert by rowid (never a scan). The porter stemmer over unicode61 folds case and diacritics.
 */
async function createSqliteSearch(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    doc_key TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    source TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    subject TEXT,
    model TEXT,
    at TEXT NOT NULL,
    quality REAL
  )`.execute(db);
  await sql`CREATE INDEX search_docs_ws ON search_docs (workspace_id)`.execute(db);
  await sql`CREATE VIRTUAL TABLE search_fts USING fts5(
    prompt, answer, comment, correction, note,
    tokenize = 'porter unicode61 remove_diacritics 2'
  )`.execute(db);
  // Backfill what is already stored (a store that ran an earlier version).
  await sql`INSERT INTO search_docs (doc_key, workspace_id, source, ref_id, subject, model, at, quality)
    SELECT 'feedback:' || id, workspace_id, 'feedback', id, subject, model, created_at,
      CASE
        WHEN thumb IS NOT NULL AND stars IS NOT NULL THEN ((CASE thumb WHEN 'up' THEN 1.0 ELSE 0.0 END) + (stars - 1) / 4.0) / 2
        WHEN thumb IS NOT NULL THEN (CASE thumb WHEN 'up' THEN 1.0 ELSE 0.0 END)
        WHEN stars IS NOT NULL THEN (stars - 1) / 4.0
      END
    FROM feedback WHERE deleted = 0 AND record IS NOT NULL`.execute(db);
  await sql`INSERT INTO search_fts (rowid, prompt, answer, comment, correction, note)
    SELECT d.id,
      coalesce(json_extract(f.record, '$.target.prompt'), ''),
      coalesce(json_extract(f.record, '$.target.output'), ''),
      coalesce(json_extract(f.record, '$.comment'), ''),
      trim(coalesce(json_extract(f.record, '$.correction.output'), '') || ' ' || coalesce(json_extract(f.record, '$.correction.fields'), '')),
      ''
    FROM search_docs d JOIN feedback f ON f.id = d.ref_id`.execute(db);
  // A hard delete of a record (purge, erasure of a rater) takes its text out of the index whatever
  // code path did it; upserts are indexed by server/search (a projection of every opened store).
  await sql`CREATE TRIGGER search_forget_feedback AFTER DELETE ON feedback BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE doc_key = 'feedback:' || old.id);
    DELETE FROM search_docs WHERE doc_key = 'feedback:' || old.id;
  END`.execute(db);
  await sql`CREATE TRIGGER search_forget_note AFTER DELETE ON subject_notes BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE doc_key = 'note:' || old.id);
    DELETE FROM search_docs WHERE doc_key = 'note:' || old.id;
  END`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`DROP TRIGGER IF EXISTS search_forget_note`.execute(db);
    await sql`DROP TRIGGER IF EXISTS search_forget_feedback`.execute(db);
    await sql`DROP TABLE IF EXISTS search_fts`.execute(db);
    await sql`DROP TABLE IF EXISTS search_docs`.execute(db);
  }
  await db.schema.dropIndex('feedback_ws_subject').execute();
  await db.schema.dropTable('subject_notes').execute();
  await db.schema.dropTable('dashboard_sessions').execute();
}
