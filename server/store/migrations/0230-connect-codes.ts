import type { Kysely } from 'kysely';

/**
 * One-time connect codes (issue 15, item 3; ADR 0049). Frozen once shipped.
 *
 * `connect_codes`: a short code a signed-in person makes in the dashboard's rater area and types
 * into a browser's extension options, which trades it (POST /v1/connect) for a new rater token of
 * that person's rater id. Only the SHA-256 of the code is kept (never the code). `expires_at`
 * comes from the server's settable clock; `used_at` and `token_id` are set by the one use.
 * Plain text columns: the same on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connect_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('token_id', 'text')
    .execute();
  await db.schema.createIndex('connect_codes_rater').on('connect_codes').columns(['workspace_id', 'rater_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connect_codes').execute();
}
