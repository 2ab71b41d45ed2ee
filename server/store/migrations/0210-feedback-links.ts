import type { Kysely } from 'kysely';

/**
 * Presigned rating links (issue 17, item 1; ADR 0046). Frozen once shipped.
 *
 * `feedback_links`: one target and criterion a person may rate without a token, at
 * `/r/<secret>`. Only the SHA-256 of the secret is kept (never the secret), with its first
 * characters to recognise it. The target (JSON, redacted as program text is) is what the rating
 * page shows and what the record will carry. `allowed_ratings` is JSON or null (any rating);
 * `reusable` 0/1; `used_at` the one rating of a single-use link; `votes` the raters who rated
 * through it. The records themselves are ordinary feedback (channel `link`, client id
 * `link:<id>`), so no table of votes is needed. Plain text and integer columns: the same on
 * SQLite and PostgreSQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feedback_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('allowed_ratings', 'text')
    .addColumn('reusable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('user_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('used_at', 'text')
    .addColumn('votes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('feedback_links_ws').on('feedback_links').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('feedback_links_user').on('feedback_links').columns(['workspace_id', 'user_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feedback_links').execute();
}
