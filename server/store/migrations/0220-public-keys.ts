import type { Kysely } from 'kysely';

/**
 * Public ingest keys (issue 17, item 2; ADR 0047). Frozen once shipped.
 *
 * `public_keys`: a key an admin gives a web app to embed the rating widget. Stored as the SHA-256
 * of the secret (never the secret), with the origins it may be used from and whose pages it may
 * rate (JSON list of `scheme://host[:port]`), the criteria and target kinds it may write (JSON
 * lists, null: any), its rate limit per minute, and whether its records keep hashes only (0/1).
 * Revoked keys stay, with `revoked_at`, for the dashboard and the records that name them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('public_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('origins', 'text', (c) => c.notNull())
    .addColumn('criteria', 'text')
    .addColumn('kinds', 'text')
    .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
    .addColumn('hashes_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('public_keys_ws').on('public_keys').columns(['workspace_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('public_keys').execute();
}
