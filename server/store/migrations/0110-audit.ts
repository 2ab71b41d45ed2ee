import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Issue 13 (hardening), items 10 and 5:
 * - `audit_log`: who did what, when and from where — admin and analyst actions and the CLI's
 *   (server/audit/). Append-only: a trigger refuses UPDATE on both backends; rows leave only by
 *   the log's own retention (AUDIT_RETENTION_DAYS).
 * - `tokens.expires_at`: a token may carry an expiry; refused after it.
 * - `rate_limit_counters`: request counts per key (token, client address) and fixed window,
 *   added to once a second by every server on one PostgreSQL so the limit holds across servers
 *   (server/middleware/rate-limit/counters.ts).
 * Dialect-neutral schema builder, plus the trigger in each dialect's SQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    // token | cli
    .addColumn('actor_type', 'text', (c) => c.notNull())
    // The token id, or the OS user who ran the CLI.
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('actor_role', 'text')
    // api | dashboard | cli
    .addColumn('via', 'text', (c) => c.notNull())
    // The client address (API, dashboard) or the host name (CLI); null when unknown.
    .addColumn('address', 'text')
    // e.g. token.created, webhook.deleted, rater.erased
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    // Small JSON object: what changed (never a rater's text).
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_ws_id').on('audit_log').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
  }

  await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();

  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.notNull())
    // Start of the fixed window (ISO 8601).
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['key', 'window_start'])
    .execute();
  await db.schema.createIndex('rate_limit_counters_window').on('rate_limit_counters').columns(['window_start']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute();
  await db.schema.alterTable('tokens').dropColumn('expires_at').execute();
  await db.schema.dropTable('audit_log').execute(); // its trigger goes with it
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) await sql`DROP FUNCTION IF EXISTS audit_log_append_only()`.execute(db);
}
