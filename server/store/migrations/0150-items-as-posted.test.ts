/**
 * Migration 0150-items-as-posted on a store that already holds items: `task_id` and `category`
 * are filled from the stored JSON, every older item counts as analysed (its output was required), and the
 * queue's new indexes exist. Runs on SQLite and PostgreSQL.
 */
import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { testBackend } from '../../../test/helpers/backend.ts';
import { unmigratedStore } from '../../../test/helpers/unmigrated-store.ts';
import { MIGRATIONS } from './index.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const at = '2026-01-01T00:00:00.000Z';
function oldItem(id: string, body: Record<string, unknown>) {
  return {
    id, workspace_id: 'w1', external_key: id, target_key: `item:${id}`, kind: 'error_analysis', subject: null, model: null, intent: null,
    project: null, body: JSON.stringify({ key: id, kind: 'error_analysis', output: 'analysis', ...body }), content_hash: 'h', created_at: at,
    updated_at: at, rater_id: 'r1', token_id: null,
  };
}

describe('migration 0150-items-as-posted', () => {
  it('fills task_id and category from the stored items, marks them analysed, and adds the indexes', async () => {
    const store = await unmigratedStore();
    closers.push(store.close);
    const db = store.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(store.schema ? { migrationTableSchema: store.schema } : {}) });
    expect((await migrator.migrateTo('0140-conversation-logs')).error).toBeUndefined();
    await db.insertInto('workspaces').values({ id: 'w1', name: 'w1', created_at: at }).execute();
    await db.insertInto('items').values([
      oldItem('both', { context: { task_id: 'load_orders' }, prediction: { category: 'data_quality' } }),
      oldItem('task-only', { context: { task_id: 'publish', note: 'x' } }),
      oldItem('neither', { prediction: { severity: 'low' } }),
      oldItem('odd-types', { context: { task_id: 7 }, prediction: { category: null } }),
    ]).execute();

    expect((await migrator.migrateTo('0150-items-as-posted')).error).toBeUndefined();
    const rows = await db.selectFrom('items').select(['id', 'task_id', 'category', 'has_analysis']).orderBy('id').execute();
    expect(rows.map((r) => ({ ...r, has_analysis: Number(r.has_analysis) }))).toEqual([
      { id: 'both', task_id: 'load_orders', category: 'data_quality', has_analysis: 1 },
      { id: 'neither', task_id: null, category: null, has_analysis: 1 },
      { id: 'odd-types', task_id: null, category: null, has_analysis: 1 },
      { id: 'task-only', task_id: 'publish', category: null, has_analysis: 1 },
    ]);
    const indexes =
      testBackend() === 'postgres'
        ? (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'items'`.execute(db)).rows
        : (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'items'`.execute(db)).rows;
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['items_ws_task', 'items_ws_category', 'items_ws_analysis']));

    expect((await migrator.migrateTo('0140-conversation-logs')).error).toBeUndefined();
    const columns = (await db.introspection.getTables()).find((tb) => tb.name === 'items')!.columns.map((c) => c.name);
    expect(columns).not.toContain('has_analysis');
  });
});
