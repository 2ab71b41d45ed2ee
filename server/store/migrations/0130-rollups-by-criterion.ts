import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Rollups by criterion (issue 12, item 2; docs/decisions/0030-criteria.md): rollup_daily,
 * rollup_members and rollup_targets gain `criterion` in their primary keys, so accuracy, stats and
 * agreement can be read for one criterion (`overall` by default) or grouped by it, and two raters
 * agree or disagree on a target per criterion. feedback_examples is per record and stays as it is.
 *
 * A primary key cannot be altered on SQLite, so the three tables are made again (on both backends
 * alike) and filled from the live rows of `feedback` (its `criterion` column comes from 0120), with
 * the same rules as the rollups kept on every write (server/insights/rollups.ts, contributionOf):
 * the UTC day of created_at; '' for a dimension not set; a thumb and 1–5 stars counted; latency_ms
 * and tokens_used of target.context when they are non-negative numbers, rounded to whole numbers;
 * conversations only when set. The counts are SQL (GROUP BY over feedback); latency and tokens
 * are read from the record JSON in a paged pass (contextBackfill says why). Frozen once shipped,
 * like every migration: everything is written out here and imports nothing from the live insights
 * code, which will change.
 */
const DIMENSIONS = ['model', 'intent', 'project', 'site', 'kind'] as const;
const STARS = [1, 2, 3, 4, 5] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return rebuild(db); // PostgreSQL: the migrator's transaction
  // SQLite migrations run outside a transaction (Kysely: no transactional DDL); this one needs one.
  await sql`begin immediate`.execute(db);
  try {
    await rebuild(db);
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

async function rebuild(db: Kysely<any>): Promise<void> {
  for (const table of ['rollup_daily', 'rollup_members', 'rollup_targets']) await db.schema.dropTable(table).ifExists().execute();
  await createTables(db);
  await sql.raw(dailyBackfill()).execute(db);
  await contextBackfill(db);
  await sql.raw(membersBackfill()).execute(db);
  await sql.raw(targetsBackfill()).execute(db);
}

async function createTables(db: Kysely<any>): Promise<void> {
  const count = (t: any, name: string) => t.addColumn(name, 'integer', (c: any) => c.notNull().defaultTo(0));
  const sum = (t: any, name: string) => t.addColumn(name, 'double precision', (c: any) => c.notNull().defaultTo(0));

  let daily: any = db.schema
    .createTable('rollup_daily')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull());
  for (const d of DIMENSIONS) daily = daily.addColumn(d, 'text', (c: any) => c.notNull());
  for (const c of ['n', 'up', 'down', 'stars_n', 'stars_sum', ...STARS.map((s) => `stars_${s}`), 'latency_n', 'tokens_n']) daily = count(daily, c);
  for (const c of ['latency_sum', 'tokens_sum']) daily = sum(daily, c);
  // Criterion before day: figures read one criterion over a range of days.
  await daily.addPrimaryKeyConstraint('rollup_daily_pk', ['workspace_id', 'criterion', 'day', ...DIMENSIONS]).execute();

  await db.schema
    .createTable('rollup_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_members_pk', ['workspace_id', 'criterion', 'facet', 'day', 'value'])
    .execute();

  let targets: any = db.schema
    .createTable('rollup_targets')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull());
  for (const c of ['n', 'up', 'down', 'stars_n', ...STARS.map((s) => `stars_${s}`)]) targets = count(targets, c);
  await targets.addPrimaryKeyConstraint('rollup_targets_pk', ['workspace_id', 'criterion', 'target_key', 'model']).execute();
  // Agreement reads only targets rated by two or more raters: a small partial index.
  await db.schema
    .createIndex('rollup_targets_shared')
    .on('rollup_targets')
    .columns(['workspace_id', 'criterion', 'model'])
    .where(sql.ref('n'), '>=', 2)
    .execute();
}

/** The live rows with their rollup keys: '' for a dimension not set, `overall` for no criterion. */
function liveRows(): string {
  const dims = DIMENSIONS.map((d) => `coalesce(${d}, '') as ${d}`).join(', ');
  return `(select workspace_id, coalesce(nullif(criterion, ''), 'overall') as criterion, substr(created_at, 1, 10) as day, ${dims},
      thumb, stars from feedback where deleted = 0) live`;
}

const counted = (condition: string, value = '1') => `sum(case when ${condition} then ${value} else 0 end)`;

function voteCounts(withSum: boolean): { columns: string[]; values: string[] } {
  const columns = ['n', 'up', 'down', 'stars_n', ...(withSum ? ['stars_sum'] : []), ...STARS.map((s) => `stars_${s}`)];
  const values = [
    'count(*)',
    counted(`thumb = 'up'`),
    counted(`thumb = 'down'`),
    counted('stars between 1 and 5'),
    ...(withSum ? [counted('stars between 1 and 5', 'stars')] : []),
    ...STARS.map((s) => counted(`stars = ${s}`)),
  ];
  return { columns, values };
}

/** Daily vote counts; latency and tokens (from the record's JSON) are added by contextBackfill. */
function dailyBackfill(): string {
  const keys = ['workspace_id', 'criterion', 'day', ...DIMENSIONS];
  const votes = voteCounts(true);
  return `insert into rollup_daily (${[...keys, ...votes.columns].join(', ')})
    select ${[...keys, ...votes.values].join(', ')} from ${liveRows()} group by ${keys.join(', ')}`;
}

interface ContextRow {
  workspace_id: string;
  id: string;
  criterion: string | null;
  created_at: string;
  model: string | null;
  intent: string | null;
  project: string | null;
  site: string | null;
  kind: string | null;
  record: string | null;
}

const wholeNonNegative = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);

/**
 * latency_ms and tokens_used of target.context, read with JSON.parse as the live rollups read them:
 * PostgreSQL's json operators refuse a record that holds an escaped U+0000 or a lone surrogate
 * (both valid JSON, both possible in page text), so SQL cannot read every record alike on both
 * backends. Only rows whose text names one of the two keys are read, page by page.
 */
async function contextBackfill(db: Kysely<any>): Promise<void> {
  const sums = new Map<string, { keys: Record<string, string>; latency_n: number; latency_sum: number; tokens_n: number; tokens_sum: number }>();
  let after: [string, string] | null = null;
  for (;;) {
    let q = db
      .selectFrom('feedback')
      .select(['workspace_id', 'id', 'criterion', 'created_at', ...DIMENSIONS, 'record'])
      .where('deleted', '=', 0)
      // `_` matches any character (no LIKE escape is alike on both backends): a few more rows read, none missed.
      .where((eb: any) => eb.or([eb('record', 'like', '%latency_ms%'), eb('record', 'like', '%tokens_used%')]));
    if (after) {
      const [ws, id] = after;
      q = q.where((eb: any) => eb.or([eb('workspace_id', '>', ws), eb.and([eb('workspace_id', '=', ws), eb('id', '>', id)])]));
    }
    const rows = (await q.orderBy('workspace_id').orderBy('id').limit(2000).execute()) as ContextRow[];
    if (!rows.length) break;
    for (const row of rows) {
      let context: Record<string, unknown> = {};
      try {
        const record = row.record ? JSON.parse(row.record) : {};
        context = record?.target?.context ?? {};
      } catch {
        /* a row without a readable record counts by its columns only */
      }
      const latency = wholeNonNegative(context?.latency_ms);
      const tokens = wholeNonNegative(context?.tokens_used);
      if (latency === null && tokens === null) continue;
      const keys: Record<string, string> = {
        workspace_id: row.workspace_id,
        criterion: row.criterion || 'overall',
        day: row.created_at.slice(0, 10),
        ...Object.fromEntries(DIMENSIONS.map((d) => [d, row[d] ?? ''])),
      };
      const id = JSON.stringify(Object.values(keys));
      let s = sums.get(id);
      if (!s) sums.set(id, (s = { keys, latency_n: 0, latency_sum: 0, tokens_n: 0, tokens_sum: 0 }));
      if (latency !== null) {
        s.latency_n++;
        s.latency_sum += latency;
      }
      if (tokens !== null) {
        s.tokens_n++;
        s.tokens_sum += tokens;
      }
    }
    const last = rows[rows.length - 1]!;
    after = [last.workspace_id, last.id];
  }
  for (const { keys, ...figures } of sums.values()) {
    let u = db.updateTable('rollup_daily').set(figures);
    for (const [k, v] of Object.entries(keys)) u = u.where(k, '=', v);
    await u.execute();
  }
}

function membersBackfill(): string {
  // The member rows need no JSON: the live rows without their context numbers.
  const live = `(select workspace_id, coalesce(nullif(criterion, ''), 'overall') as criterion, substr(created_at, 1, 10) as day,
      rater_id, conversation_id from feedback where deleted = 0) live`;
  return `insert into rollup_members (workspace_id, criterion, facet, day, value, n)
    select workspace_id, criterion, 'rater', day, rater_id, count(*) from ${live} group by workspace_id, criterion, day, rater_id
    union all
    select workspace_id, criterion, 'conversation', day, conversation_id, count(*) from ${live}
      where conversation_id is not null and conversation_id <> '' group by workspace_id, criterion, day, conversation_id`;
}

function targetsBackfill(): string {
  const votes = voteCounts(false);
  const live = `(select workspace_id, coalesce(nullif(criterion, ''), 'overall') as criterion, target_key, coalesce(model, '') as model,
      thumb, stars from feedback where deleted = 0) live`;
  const keys = ['workspace_id', 'criterion', 'target_key', 'model'];
  return `insert into rollup_targets (${[...keys, ...votes.columns].join(', ')})
    select ${[...keys, ...votes.values].join(', ')} from ${live} group by ${keys.join(', ')}`;
}

export async function down(): Promise<void> {
  throw new Error('0130-rollups-by-criterion cannot be undone: the rollups of other criteria than overall would be lost.');
}
