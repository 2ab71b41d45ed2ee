import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Figures that do not grow with the data (issue 19, item 4): stats' distinct raters and
 * conversations and agreement read rollups whose size grows with days and categories, not with
 * members or targets. All exact (DESIGN, "Exact figures"); see server/insights/distinct.ts and
 * server/insights/agreement-rollup.ts for what the rows mean and how writes keep them.
 *
 * - rollup_members gains an index by member (value, day): writes find a member's neighbouring
 *   active days.
 * - rollup_distinct: per (workspace, criterion, facet, day, prev_day) the members active that day
 *   whose previous active day is prev_day ('' for none), backfilled with lag() over rollup_members.
 * - rollup_agreement: Krippendorff tallies per (workspace, criterion, model, scale, m, c, k),
 *   backfilled from rollup_targets.
 * - rollup_targets.disagreement, backfilled, with two partial indexes for the most disputed; the
 *   index of shared targets (0130) is dropped: agreement no longer reads them, and writes keep it.
 *
 * Frozen once shipped: the SQL is written out here and imports nothing from the live insights code.
 */
const STARS = [1, 2, 3, 4, 5] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return build(db, true); // PostgreSQL: the migrator's transaction
  // SQLite migrations run outside a transaction (Kysely: no transactional DDL); this one needs one.
  await sql`begin immediate`.execute(db);
  try {
    await build(db, false);
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

async function build(db: Kysely<any>, pg: boolean): Promise<void> {
  await db.schema.createIndex('rollup_members_by_value').on('rollup_members').columns(['workspace_id', 'criterion', 'facet', 'value', 'day']).execute();

  await db.schema
    .createTable('rollup_distinct')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('prev_day', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_distinct_pk', ['workspace_id', 'criterion', 'facet', 'day', 'prev_day'])
    .execute();
  await sql`insert into rollup_distinct (workspace_id, criterion, facet, day, prev_day, n)
    select workspace_id, criterion, facet, day, prev_day, count(*) from (
      select workspace_id, criterion, facet, day,
        coalesce(lag(day) over (partition by workspace_id, criterion, facet, value order by day), '') as prev_day
      from rollup_members where n > 0
    ) chained group by workspace_id, criterion, facet, day, prev_day`.execute(db);

  await db.schema
    .createTable('rollup_agreement')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('scale', 'text', (c) => c.notNull())
    .addColumn('m', 'integer', (c) => c.notNull())
    .addColumn('c', 'integer', (c) => c.notNull())
    .addColumn('k', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_agreement_pk', ['workspace_id', 'criterion', 'model', 'scale', 'm', 'c', 'k'])
    .execute();
  for (const text of agreementBackfill()) await sql.raw(text).execute(db);

  await db.schema.alterTable('rollup_targets').addColumn('disagreement', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
  await sql.raw(`update rollup_targets set disagreement = ${disagreement(pg)} where n >= 2`).execute(db);
  // Most disputed first, then most raters, then target key in byte order (collate "C" on PostgreSQL, SQLite's default).
  const key = pg ? 'target_key collate "C"' : 'target_key';
  await sql.raw(`create index rollup_targets_disputed on rollup_targets (workspace_id, criterion, disagreement desc, n desc, ${key}) where disagreement > 0`).execute(db);
  await db.schema.dropIndex('rollup_targets_shared').ifExists().execute();
  await sql.raw(`create index rollup_targets_disputed_model on rollup_targets (workspace_id, criterion, model, disagreement desc, n desc, ${key}) where disagreement > 0`).execute(db);
}

/** Tally rows of every target with two or more raters: units per m, and Σ n_c · n_k (n_c · (n_c − 1) on the diagonal). */
function agreementBackfill(): string[] {
  const out: string[] = [];
  const into = 'insert into rollup_agreement (workspace_id, criterion, model, scale, m, c, k, n)';
  const keys = 'workspace_id, criterion, model';
  out.push(`${into} select ${keys}, 'raters', n, -1, -1, count(*) from rollup_targets where n >= 2 group by ${keys}, n`);
  const scales = { thumbs: ['down', 'up'], stars: STARS.map((s) => `stars_${s}`) };
  for (const [scale, cols] of Object.entries(scales)) {
    const m = `(${cols.join(' + ')})`;
    const shared = `from rollup_targets where n >= 2 and ${m} >= 2 group by ${keys}, ${m}`;
    out.push(`${into} select ${keys}, '${scale}', ${m}, -1, -1, count(*) ${shared}`);
    cols.forEach((a, c) =>
      cols.forEach((b, k) => {
        const product = c === k ? `${a} * (${a} - 1)` : `${a} * ${b}`;
        out.push(`${into} select ${keys}, '${scale}', ${m}, ${c}, ${k}, sum(cast(${product} as bigint)) ${shared} having sum(cast(${product} as bigint)) > 0`);
      }),
    );
  }
  return out;
}

/**
 * Disagreement of a target's counts, as server/insights/agreement-rollup.ts computes it today. A
 * copy on purpose: a migration keeps the SQL it shipped with, whatever the live code becomes.
 */
function disagreement(pg: boolean): string {
  const d = (c: string) => `cast(${c} as double precision)`;
  const thumbs = `(${d('up')} + ${d('down')})`;
  const thumbScore = `case when ${thumbs} > 1 then (2 * ${d('up')} * ${d('down')}) / (${thumbs} * (${thumbs} - 1)) else 0 end`;
  const terms: string[] = [];
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) terms.push(`${d(`stars_${a + 1}`)} * ${d(`stars_${b + 1}`)} * ${Math.abs(a - b)}`);
  const m = d('stars_n');
  const starScore = `case when ${m} > 1 then (${terms.join(' + ')}) / (${m} * (${m} - 1) * 4) else 0 end`;
  return `${pg ? 'greatest' : 'max'}(${thumbScore}, ${starScore})`;
}
