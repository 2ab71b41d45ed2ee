import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * FilAgent's interaction logs (issue 12, item 4; docs/decisions/0006, "Shape 2"):
 * - `idempotency_keys`: a client's `Idempotency-Key` on `POST /api/v1/feedback/{conversation_id}`,
 *   claimed in the transaction that writes the record, so a retry is one row, not two, also when
 *   the retry races the first attempt (the primary key makes the second wait, then find the first).
 *   `request_hash` (SHA-256 of the canonical request) tells a retry from another body under the
 *   same key. Rows older than the window (24 hours) are dropped as new keys arrive.
 * - `workspace_settings.known_conversations_only`: 1 = a conversation no item or feedback of the
 *   workspace names is 404, as in the document.
 * - Indexes for "this conversation, in this workspace": feedback by conversation (all raters, the
 *   rater-scoped one is 0090's) and items by `context.conversation_id` inside their JSON body (an
 *   expression index; the query in server/dropin/conversation-logs.ts repeats the expression exactly,
 *   or the index is not used).
 * Frozen once shipped, like every migration: the SQL is written out here, not imported.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('feedback_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['workspace_id', 'rater_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_ws_created').on('idempotency_keys').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .alterTable('workspace_settings')
    .addColumn('known_conversations_only', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.createIndex('feedback_ws_conversation').on('feedback').columns(['workspace_id', 'conversation_id', 'created_at']).execute();

  const conversationOfItem =
    db.getExecutor().adapter instanceof SqliteAdapter
      ? sql`json_extract(body, '$.context.conversation_id')`
      : sql`(body::jsonb #>> '{context,conversation_id}')`;
  await sql`create index items_ws_conversation on items (workspace_id, ${conversationOfItem})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('items_ws_conversation').execute();
  await db.schema.dropIndex('feedback_ws_conversation').execute();
  await db.schema.alterTable('workspace_settings').dropColumn('known_conversations_only').execute();
  await db.schema.dropTable('idempotency_keys').execute();
}
