import { sql, type Kysely } from 'kysely';

/**
 * Adapter health (issue 10): one row per page visit a content script counted (numbers and names
 * only, never page text), and the incidents the broken/recovered rule opens and closes
 * (server/health/). Dialect-neutral schema builder only; booleans are integers 0/1.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('site_visits')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'text', (c) => c.notNull())
    // When the visit happened: the client's time, or received_at when that is in the future or
    // more than 7 days back (a wrong clock cannot move a visit into another day or window).
    .addColumn('at', 'text', (c) => c.notNull())
    // UTC day of `at` (YYYY-MM-DD).
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('layout', 'text', (c) => c.notNull())
    .addColumn('fallback', 'integer', (c) => c.notNull())
    .addColumn('pack', 'integer')
    .addColumn('answers', 'integer', (c) => c.notNull())
    .addColumn('user_turns', 'integer', (c) => c.notNull())
    .addColumn('prompt_read', 'integer', (c) => c.notNull())
    .addColumn('model_read', 'integer', (c) => c.notNull())
    .addColumn('conversation_read', 'integer', (c) => c.notNull())
    .execute();
  // The rule's rolling window (one site, a time range) and the per-day report (a range of days).
  await db.schema.createIndex('site_visits_ws_site_at').on('site_visits').columns(['workspace_id', 'site', 'at']).execute();
  await db.schema.createIndex('site_visits_ws_day').on('site_visits').columns(['workspace_id', 'day']).execute();
  await db.schema.createIndex('site_visits_token').on('site_visits').columns(['token_id']).execute();

  await db.schema
    .createTable('site_incidents')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.primaryKey())
    // UTC day of the first bad visit in the window that opened the incident.
    .addColumn('broken_since', 'text', (c) => c.notNull())
    // Server time the rule flagged the site.
    .addColumn('started_at', 'text', (c) => c.notNull())
    // no_answers | no_prompt
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('healthy_streak', 'integer', (c) => c.notNull().defaultTo(0))
    // Time of the visit that completed the healthy streak; null while the incident is open.
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('site_incidents_ws_site').on('site_incidents').columns(['workspace_id', 'site', 'started_at']).execute();
  // At most one open incident per site: a second server racing to open one fails and retries.
  await db.schema
    .createIndex('site_incidents_one_open')
    .on('site_incidents')
    .columns(['workspace_id', 'site'])
    .unique()
    .where(sql.ref('ended_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('site_incidents').execute();
  await db.schema.dropTable('site_visits').execute();
}
