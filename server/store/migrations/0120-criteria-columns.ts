import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Criteria per rating and a filterable correction (issue 12 item 2, issue 11 item 1; ADR 0028):
 * - `criterion` (what a rating judges; `overall` when the record names none) and `has_correction`
 *   (1 when the record carries a corrected output or corrected fields) become columns, filled from
 *   the stored record JSON;
 * - the live-vote index `feedback_live_target` (migration 0010) widens to one live record per rater,
 *   target AND criterion;
 * - `feedback_ws_criterion` serves lists filtered by criterion in list order (created_at, id).
 * The rule for has_correction is carriesCorrection in shared/feedback-fields.ts as it was when this
 * shipped, written out here: frozen once shipped, like every migration.
 *
 * PostgreSQL refuses its JSON operators on a record holding an escaped U+0000 or a lone surrogate
 * (both valid JSON, both possible in page text: only the column fields are NUL-checked), so there
 * the records that name a criterion or a correction are read with JSON.parse, page by page.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return upSqlite(db);
  // PostgreSQL: the migrator runs this in a transaction.
  await sql`alter table feedback add column if not exists criterion text not null default 'overall'`.execute(db);
  await sql`alter table feedback add column if not exists has_correction integer not null default 0`.execute(db);
  const PAGE = 1000;
  let after = '';
  for (;;) {
    const rows = (await sql<{ workspace_id: string; id: string; record: string }>`select workspace_id, id, record from feedback
      where record is not null and (record like '%"criterion"%' or record like '%"correction"%')
        and (workspace_id || ' ' || id) > ${after}
      order by (workspace_id || ' ' || id) limit ${PAGE}`.execute(db)).rows;
    for (const row of rows) {
      const r = JSON.parse(row.record) as { criterion?: unknown; correction?: { output?: unknown; fields?: unknown } };
      const criterion = typeof r.criterion === 'string' ? r.criterion : 'overall';
      const c = r.correction;
      const fields = c && typeof c === 'object' ? c.fields : undefined;
      const corrected = !!c && typeof c === 'object' && ((typeof c.output === 'string' && c.output !== '')
        || (!!fields && typeof fields === 'object' && Object.keys(fields).length > 0));
      await sql`update feedback set criterion = ${criterion}, has_correction = ${corrected ? 1 : 0}
        where workspace_id = ${row.workspace_id} and id = ${row.id}`.execute(db);
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = `${last.workspace_id} ${last.id}`;
  }
  await indexes(db);
}

async function upSqlite(db: Kysely<any>): Promise<void> {
  // SQLite migrations run outside a transaction (Kysely: no transactional DDL); this one takes one,
  // so a run that stops halfway leaves the table as it was.
  await sql`begin immediate`.execute(db);
  try {
    const columns = (await sql<{ name: string }>`select name from pragma_table_info('feedback')`.execute(db)).rows.map((r) => r.name);
    if (!columns.includes('criterion')) await sql`alter table feedback add column criterion text not null default 'overall'`.execute(db);
    if (!columns.includes('has_correction')) await sql`alter table feedback add column has_correction integer not null default 0`.execute(db);
    await sql`update feedback set criterion = json_extract(record, '$.criterion')
      where record is not null and json_type(record, '$.criterion') = 'text'`.execute(db);
    await sql`update feedback set has_correction = 1
      where record is not null and json_type(record, '$.correction') = 'object' and (
        coalesce(json_extract(record, '$.correction.output'), '') <> ''
        or coalesce(json_extract(record, '$.correction.fields'), '{}') <> '{}')`.execute(db);
    await indexes(db);
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

async function indexes(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists feedback_live_target`.execute(db);
  // `deleted = 0` as a literal, as in 0010: SQLite uses a partial index only for queries whose WHERE implies it.
  await db.schema
    .createIndex('feedback_live_target')
    .on('feedback')
    .columns(['workspace_id', 'rater_id', 'target_key', 'criterion'])
    .unique()
    .where(sql.ref('deleted'), '=', 0)
    .execute();
  await db.schema
    .createIndex('feedback_ws_criterion')
    .ifNotExists()
    .on('feedback')
    .columns(['workspace_id', 'criterion', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Going back narrows the live index again: refused by the store when two criteria of one target are live.
  await sql`drop index if exists feedback_ws_criterion`.execute(db);
  await sql`drop index if exists feedback_live_target`.execute(db);
  await db.schema
    .createIndex('feedback_live_target')
    .on('feedback')
    .columns(['workspace_id', 'rater_id', 'target_key'])
    .unique()
    .where(sql.ref('deleted'), '=', 0)
    .execute();
  await db.schema.alterTable('feedback').dropColumn('has_correction').execute();
  await db.schema.alterTable('feedback').dropColumn('criterion').execute();
}
