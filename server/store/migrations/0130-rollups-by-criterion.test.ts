/**
 * Migration 0130-rollups-by-criterion on a store that already holds feedback (issue 12, item 2):
 * the rollups are keyed by criterion, and what its own SQL backfills equals what the live rollup
 * code computes from the same rows (rebuildRollups) — latency and tokens from target.context
 * (halves, fractions, negatives, strings, a missing context), tombstones left out, conversations
 * only when set, a record holding an escaped U+0000 and a lone surrogate. Runs on SQLite and PostgreSQL.
 */
import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../shared/ids.ts';
import { openTestStore, testBackend } from '../../../test/helpers/backend.ts';
import { indexNames, unmigratedStore } from '../../../test/helpers/unmigrated-store.ts';
import { MIGRATIONS } from './index.ts';
import { migrateToLatest } from '../migrate.ts';
import { rebuildRollups } from '../../insights/rollups.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function rawStore(): Promise<{ db: Kysely<any>; schema?: string }> {
  const store = await unmigratedStore();
  closers.push(store.close);
  return store;
}

async function primaryKey(db: Kysely<any>, table: string): Promise<string[]> {
  if (testBackend() !== 'postgres') {
    const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ attname: string }>`select a.attname from pg_constraint c
    cross join unnest(c.conkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
    where c.conrelid = to_regclass(${table}) and c.contype = 'p' order by k.ord`.execute(db);
  return rows.map((r) => r.attname);
}

/** Every rollup row, numbers as numbers, in a stable order. */
async function rollups(db: Kysely<any>) {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const table of ['rollup_daily', 'rollup_members', 'rollup_targets']) {
    const rows = (await db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^(n|up|down|stars_.*|latency_.*|tokens_.*)$/.test(k) ? Number(v) : v])))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return out;
}

describe('migration 0130-rollups-by-criterion', () => {
  it('keys the rollups by criterion and backfills them as the live rollups count', async () => {
    const { db, schema } = await rawStore();
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(schema ? { migrationTableSchema: schema } : {}) });
    expect((await migrator.migrateTo('0120-criteria-columns')).error).toBeUndefined();

    const at = (day: number) => `2026-01-0${day}T10:00:00.000Z`;
    let n = 0;
    const row = (o: { ws?: string; rater?: string; key?: string; criterion?: string; day?: number; thumb?: string | null; stars?: number | null; model?: string | null; conversation?: string | null; context?: unknown; deleted?: number; prompt?: string }) => {
      const id = uuidv7();
      const criterion = o.criterion ?? 'overall';
      const record = {
        id,
        target: { kind: 'chat_response', key: o.key ?? `k${n++}`, ...(o.prompt ? { prompt: o.prompt, output: 'answer' } : {}), ...(o.context !== undefined ? { context: o.context } : {}) },
        rating: { ...(o.thumb ? { thumb: o.thumb } : {}), ...(o.stars ? { stars: o.stars } : {}) },
        ...(criterion !== 'overall' ? { criterion } : {}),
        createdAt: at(o.day ?? 1),
        updatedAt: at(o.day ?? 1),
      };
      return {
        id, workspace_id: o.ws ?? 'w1', rater_id: o.rater ?? 'r1', client_id: null, target_key: record.target.key, kind: 'chat_response', site: null,
        model: o.model === undefined ? 'gpt-5' : o.model, intent: null, project: null, subject: null, conversation_id: o.conversation ?? null,
        thumb: o.thumb ?? null, stars: o.stars ?? null, label: null, created_at: at(o.day ?? 1), updated_at: at(o.day ?? 1), received_at: at(o.day ?? 1),
        deleted: o.deleted ?? 0, record: o.deleted ? null : JSON.stringify(record), content_hash: 'h', criterion, has_correction: 0,
      };
    };
    for (const ws of ['w1', 'w2']) await db.insertInto('workspaces').values({ id: ws, name: ws, created_at: at(1) }).execute();
    await db
      .insertInto('feedback')
      .values([
        row({ key: 'a', thumb: 'up', stars: 5, conversation: 'c1', context: { latency_ms: 100.5, tokens_used: 10 } }),
        row({ key: 'a', rater: 'r2', thumb: 'down', stars: 1, conversation: 'c1', context: { latency_ms: 0.4, tokens_used: '12' } }),
        row({ key: 'a', criterion: 'correctness', thumb: 'down', conversation: 'c1', context: { latency_ms: -5, tokens_used: 2.5 } }),
        row({ key: 'a', criterion: 'correctness', rater: 'r2', thumb: 'down', stars: 3, conversation: '' }),
        row({ key: 'b', criterion: 'task_quality', stars: 4, day: 2, model: null, context: { latency_ms: true } }),
        row({ key: 'b', criterion: 'task_quality', rater: 'r3', stars: 2, day: 2, model: null, context: [] }),
        row({ key: 'c', thumb: 'up', day: 3, prompt: 'with a \u0000 inside and a lone \ud800', context: { latency_ms: 7 } }),
        row({ key: 'd', thumb: 'up', deleted: 1 }),
        row({ ws: 'w2', key: 'a', thumb: 'up', criterion: 'correctness', conversation: 'c9', context: { nested: { latency_ms: 5 } } }),
      ])
      .execute();

    const applied = await migrateToLatest(db, { schema });
    expect(applied).toContain('0130-rollups-by-criterion');
    expect(await primaryKey(db, 'rollup_daily')).toEqual(['workspace_id', 'criterion', 'day', 'model', 'intent', 'project', 'site', 'kind']);
    expect(await primaryKey(db, 'rollup_members')).toEqual(['workspace_id', 'criterion', 'facet', 'day', 'value']);
    expect(await primaryKey(db, 'rollup_targets')).toEqual(['workspace_id', 'criterion', 'target_key', 'model']);

    // Indexes as a store made new has them.
    const fresh = await openTestStore();
    closers.push(() => fresh.close());
    for (const table of ['rollup_daily', 'rollup_members', 'rollup_targets']) {
      expect(await indexNames(db, table), table).toEqual(await indexNames(fresh.db as unknown as Kysely<any>, table));
    }
    // (0240 replaced rollup_targets_shared with the disputed indexes: the list is the fresh store's, above.)

    const migrated = await rollups(db);
    // By hand, a few of them: overall and correctness apart; latency 100.5 → 101 and 0.4 → 0; the negative one and strings not counted.
    const daily = migrated.rollup_daily!;
    expect(daily.find((r) => r.workspace_id === 'w1' && r.criterion === 'overall' && r.day === '2026-01-01')).toMatchObject({
      n: 2, up: 1, down: 1, stars_n: 2, stars_sum: 6, stars_1: 1, stars_5: 1, latency_n: 2, latency_sum: 101, tokens_n: 1, tokens_sum: 10,
    });
    expect(daily.find((r) => r.workspace_id === 'w1' && r.criterion === 'correctness')).toMatchObject({ n: 2, down: 2, latency_n: 0, tokens_n: 1, tokens_sum: 3 });
    expect(migrated.rollup_targets!.filter((r) => r.workspace_id === 'w1' && r.target_key === 'a').map((r) => [r.criterion, r.n])).toEqual([
      ['correctness', 2],
      ['overall', 2],
    ]);
    expect(migrated.rollup_members!.filter((r) => r.facet === 'conversation').map((r) => [r.workspace_id, r.criterion, r.value, r.n])).toEqual([
      ['w1', 'correctness', 'c1', 1],
      ['w1', 'overall', 'c1', 2],
      ['w2', 'correctness', 'c9', 1],
    ]);
    // All of it as the live code counts it.
    await rebuildRollups(db);
    expect(await rollups(db)).toEqual(migrated);
  });

  it('runs on a store without feedback', async () => {
    const { db, schema } = await rawStore();
    await migrateToLatest(db, { schema });
    expect(await rollups(db)).toEqual({ rollup_daily: [], rollup_members: [], rollup_targets: [] });
  });
});
