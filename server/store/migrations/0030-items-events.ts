import type { Kysely } from 'kysely';

/**
 * Items that programs register for review, and the append-only investigation trace (issue 6).
 * Dialect-neutral schema builder only (SQLite and PostgreSQL run the same migration).
 * Frozen once shipped: add a later migration instead of editing this one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    // The program's own id for the item: idempotency key within a workspace.
    .addColumn('external_key', 'text', (c) => c.notNull())
    // "item:" + external_key: what feedback puts in target.key to rate it.
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('model', 'text')
    .addColumn('intent', 'text')
    .addColumn('project', 'text')
    // The ItemInput JSON as stored (after redaction).
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text')
    .execute();
  await db.schema.createIndex('items_ws_key').on('items').columns(['workspace_id', 'external_key']).unique().execute();
  await db.schema.createIndex('items_ws_created').on('items').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('items_ws_subject').on('items').columns(['workspace_id', 'subject', 'created_at']).execute();
  // "Does any live feedback in the workspace target this key?" (the review queue).
  await db.schema.createIndex('feedback_ws_target').on('feedback').columns(['workspace_id', 'target_key', 'deleted']).execute();

  await db.schema
    .createTable('trace_events')
    // Client-chosen (idempotent retries) or server-made UUID.
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Arrival order: a monotonic, sortable string made by the server (server/lib/monotonic-key.ts).
    .addColumn('seq', 'text', (c) => c.notNull().unique())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('investigation_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text')
    .execute();
  await db.schema.createIndex('trace_events_ws_seq').on('trace_events').columns(['workspace_id', 'seq']).execute();
  await db.schema.createIndex('trace_events_ws_inv').on('trace_events').columns(['workspace_id', 'investigation_id', 'seq']).execute();
  await db.schema.createIndex('trace_events_ws_subject').on('trace_events').columns(['workspace_id', 'subject', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trace_events').execute();
  await db.schema.dropIndex('feedback_ws_target').execute();
  await db.schema.dropTable('items').execute();
}
