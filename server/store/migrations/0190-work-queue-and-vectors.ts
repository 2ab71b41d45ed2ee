import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * The one durable work queue and the vectors of semantic search (issue 14, part 7; ADR 0041):
 * - `work_queue`: work done after commit, written in the transaction of the write that causes it
 *   (a projection, store/projections.ts) and drained by a background worker (server/jobs/indexer.ts).
 *   One row per (kind, workspace, ref): a second change before the job ran bumps `seq` instead of
 *   adding a row, and the worker deletes the row only if `seq` is still what it claimed, so the
 *   last change always runs. `next_attempt_at` doubles as the claim's lease. `enqueued_at` is the
 *   first unserved change: the queue's lag is measured from it.
 * - `search_vectors`: one embedding per feedback record (deleted with it: a foreign key),
 *   normalised to length 1, with the model that made it and its dimension (taken from the endpoint's first answer, so nothing here fixes it).
 *   SQLite keeps float32 blobs (sqlite-vec's vec_distance_cosine reads them), PostgreSQL `real[]`
 *   (exact cosine in SQL; a pgvector column would be the seam's other implementation).
 * Frozen once shipped, like every migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('work_queue')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enqueued_at', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('work_queue_pk', ['kind', 'workspace_id', 'ref'])
    .execute();
  await db.schema.createIndex('work_queue_due').on('work_queue').columns(['kind', 'next_attempt_at']).execute();
  await db.schema.createIndex('work_queue_enqueued').on('work_queue').columns(['enqueued_at']).execute();

  await db.schema
    .createTable('search_vectors')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('feedback_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('dims', 'integer', (c) => c.notNull())
    .addColumn('vector', sqlite ? 'blob' : sql`real[]`, (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('embedded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_vectors_pk', ['workspace_id', 'feedback_id'])
    // A record that leaves the store takes its vector with it, whichever path deletes it and
    // whatever a worker that embedded it a moment earlier writes (its insert fails or waits).
    .addForeignKeyConstraint('search_vectors_feedback_fk', ['workspace_id', 'feedback_id'], 'feedback', ['workspace_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('search_vectors_model').on('search_vectors').columns(['workspace_id', 'model', 'dims']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_vectors').execute();
  await db.schema.dropTable('work_queue').execute();
}
