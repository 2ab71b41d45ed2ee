import { sql, type Kysely } from 'kysely';
// Importing the rollups module also registers its change listener (onFeedbackChanges): every
// process that opens a store loads the migrations, so no write path can miss the rollups.
import { rebuildRollups } from '../../insights/rollups.ts';

/**
 * Rollups for insights (daily counts per dimension, distinct raters/conversations per day, votes
 * per target for agreement), the export projection (prompt/example hashes for streaming dedup),
 * and export runs. Dialect-neutral: runs on SQLite and PostgreSQL. See server/insights/tables.ts
 * and docs/decisions/0020 to 0023.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const count = (name: string) => (t: any) => t.addColumn(name, 'integer', (c: any) => c.notNull().defaultTo(0));
  const sum = (name: string) => (t: any) => t.addColumn(name, 'double precision', (c: any) => c.notNull().defaultTo(0));

  let daily: any = db.schema
    .createTable('rollup_daily')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull());
  for (const c of ['n', 'up', 'down', 'stars_n', 'stars_sum', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5', 'latency_n', 'tokens_n']) {
    daily = count(c)(daily);
  }
  for (const c of ['latency_sum', 'tokens_sum']) daily = sum(c)(daily);
  await daily
    .addPrimaryKeyConstraint('rollup_daily_pk', ['workspace_id', 'day', 'model', 'intent', 'project', 'site', 'kind'])
    .execute();

  await db.schema
    .createTable('rollup_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_members_pk', ['workspace_id', 'facet', 'day', 'value'])
    .execute();

  let targets: any = db.schema
    .createTable('rollup_targets')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull());
  for (const c of ['n', 'up', 'down', 'stars_n', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5']) targets = count(c)(targets);
  await targets.addPrimaryKeyConstraint('rollup_targets_pk', ['workspace_id', 'target_key', 'model']).execute();
  // Agreement reads only targets rated by two or more raters: a small partial index.
  await db.schema
    .createIndex('rollup_targets_shared')
    .on('rollup_targets')
    .columns(['workspace_id', 'model'])
    .where(sql.ref('n'), '>=', 2)
    .execute();

  await db.schema
    .createTable('feedback_examples')
    .addColumn('feedback_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('prompt_hash', 'text', (c) => c.notNull())
    .addColumn('example_hash', 'text', (c) => c.notNull())
    .execute();
  // Exports read examples in this order (no sort step): one prompt at a time, identical examples adjacent.
  await db.schema
    .createIndex('feedback_examples_order')
    .on('feedback_examples')
    .columns(['workspace_id', 'prompt_hash', 'example_hash', 'created_at', 'feedback_id'])
    .execute();

  await db.schema
    .createTable('export_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('split', 'double precision')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('counts', 'text')
    .addColumn('files', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('export_runs_ws_started').on('export_runs').columns(['workspace_id', 'started_at']).execute();

  // A store that already holds feedback gets its rollups computed once, with the current rules.
  await rebuildRollups(db);
}
