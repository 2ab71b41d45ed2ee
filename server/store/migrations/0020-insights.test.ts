/**
 * Migration 0020-insights on a store that already holds feedback: the rollups and the export
 * projection are backfilled by the migration's own frozen copy of the rules of its day, whatever
 * the live rollups do now (ADR 0031). Runs on SQLite and PostgreSQL: it picks its backend as an
 * openTestStore() suite does, so vitest.postgres.config.ts runs it again on PostgreSQL.
 */
import { Kysely, Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { unmigratedStore } from '../../../test/helpers/unmigrated-store.ts';
import { MIGRATIONS } from './index.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function rawStore(): Promise<{ db: Kysely<any>; schema?: string }> {
  const store = await unmigratedStore();
  closers.push(store.close);
  return store;
}

const at = (day: string) => `2026-01-${day}T09:00:00.000Z`;
function row(id: string, rater: string, key: string, fields: Record<string, unknown>, record: unknown) {
  return {
    id, workspace_id: 'w1', rater_id: rater, client_id: null, target_key: key, kind: 'chat_response', site: 'chatgpt.com', model: 'gpt-5',
    intent: null, project: null, subject: null, conversation_id: null, thumb: null, stars: null, label: null,
    created_at: at('02'), updated_at: at('02'), received_at: at('02'), deleted: 0, record: record === undefined ? null : JSON.stringify(record), content_hash: 'h',
    ...fields,
  };
}

describe('migration 0020-insights', () => {
  it('backfills rollups and example hashes from the rows a store holds, live ones only', async () => {
    const { db, schema } = await rawStore();
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(schema ? { migrationTableSchema: schema } : {}) });
    expect((await migrator.migrateTo('0010-init')).error).toBeUndefined();
    await db.insertInto('workspaces').values({ id: 'w1', name: 'w1', created_at: at('01') }).execute();
    const target = { prompt: 'Why is the sky blue?', output: 'Rayleigh scattering.', context: { latency_ms: 120.4, tokens_used: 30 } };
    await db
      .insertInto('feedback')
      .values([
        row('a', 'r1', 'k1', { thumb: 'up', stars: 5, conversation_id: 'c1' }, { target }),
        row('b', 'r2', 'k1', { thumb: 'down', stars: 2, conversation_id: 'c1' }, { target: { ...target, context: { latency_ms: -3 } } }),
        row('c', 'r1', 'k2', { stars: 9, model: null, created_at: at('03') }, undefined),
        row('d', 'r3', 'k1', { thumb: 'down', deleted: 1 }, undefined),
      ])
      .execute();
    expect((await migrator.migrateTo('0020-insights')).error).toBeUndefined();

    const daily = await db.selectFrom('rollup_daily').selectAll().orderBy('day').execute();
    expect(daily).toHaveLength(2);
    expect(daily[0]).toMatchObject({ day: '2026-01-02', model: 'gpt-5', intent: '', site: 'chatgpt.com', kind: 'chat_response', n: 2, up: 1, down: 1, stars_n: 2, stars_5: 1, stars_2: 1, latency_n: 1, tokens_n: 1 });
    expect(Number(daily[0]!.stars_sum)).toBe(7);
    expect(Number(daily[0]!.latency_sum)).toBe(120);
    expect(Number(daily[0]!.tokens_sum)).toBe(30);
    // Stars out of 1–5 count the record, not the stars; no model is the empty dimension.
    expect(daily[1]).toMatchObject({ day: '2026-01-03', model: '', n: 1, up: 0, down: 0, stars_n: 0 });

    const members = await db.selectFrom('rollup_members').select(['facet', 'day', 'value', 'n']).orderBy('facet').orderBy('day').orderBy('value').execute();
    expect(members).toEqual([
      { facet: 'conversation', day: '2026-01-02', value: 'c1', n: 2 },
      { facet: 'rater', day: '2026-01-02', value: 'r1', n: 1 },
      { facet: 'rater', day: '2026-01-02', value: 'r2', n: 1 },
      { facet: 'rater', day: '2026-01-03', value: 'r1', n: 1 },
    ]);
    const targets = await db.selectFrom('rollup_targets').select(['target_key', 'model', 'n', 'up', 'down', 'stars_n']).orderBy('target_key').execute();
    expect(targets).toEqual([
      { target_key: 'k1', model: 'gpt-5', n: 2, up: 1, down: 1, stars_n: 2 },
      { target_key: 'k2', model: '', n: 1, up: 0, down: 0, stars_n: 0 },
    ]);
    // Both records of k1 have the same prompt and answer: one prompt hash, one example hash.
    const examples = await db.selectFrom('feedback_examples').select(['feedback_id', 'prompt_hash', 'example_hash']).orderBy('feedback_id').execute();
    expect(examples.map((e) => e.feedback_id)).toEqual(['a', 'b']);
    expect(examples[0]).toMatchObject({ prompt_hash: examples[1]!.prompt_hash, example_hash: examples[1]!.example_hash });
    expect(examples[0]!.prompt_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(examples[0]!.example_hash).not.toBe(examples[0]!.prompt_hash);
  });
});
