/**
 * The filter indexes a migrated store has are exactly those derived from the filter description
 * (filter-indexes.ts): a filter added to shared/feedback-fields.ts fails here until a migration
 * adds its index. Also: the list walks one of them for a filter, and answers the same records with
 * the steering of feedback-filters.ts (ranges of stars, closed filters read from index entries).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { listFeedback } from './feedback-read.ts';
import { FILTER_INDEXES } from './filter-indexes.ts';
import type { Store } from './open.ts';

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());

async function indexColumns(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (store.dialect === 'sqlite') {
    const names = store.sqlite!.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'feedback' and name like 'feedback_filter_%'").all() as { name: string }[];
    for (const { name } of names) out[name] = (store.sqlite!.prepare(`pragma index_info("${name}")`).all() as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
    return out;
  }
  const rows = await sql<{ name: string; columns: string[] }>`
    select i.relname as name, array_agg(a.attname::text order by k.ord) as columns
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    join unnest(x.indkey) with ordinality as k(attnum, ord) on true
    join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
    where t.relname = 'feedback' and t.relnamespace = current_schema()::regnamespace and i.relname like 'feedback_filter_%'
    group by i.relname`.execute(store.db);
  for (const r of rows.rows) out[r.name] = r.columns;
  return out;
}

describe('filter indexes', () => {
  it('a migrated store has one per filtered column, as derived from the filter description', async () => {
    expect(await indexColumns()).toEqual(Object.fromEntries(FILTER_INDEXES.map((ix) => [ix.name, [...ix.columns]])));
  });

  it('the steered list answers what the filters say (star ranges, closed filters with open ones)', async () => {
    await seedRatings(store, 'w', [
      { rater: 'r1', prompt: 'a', output: 'a', thumb: 'up', stars: 2, model: 'm1' },
      { rater: 'r1', prompt: 'b', output: 'b', thumb: 'down', stars: 2, model: 'm1' },
      { rater: 'r2', prompt: 'c', output: 'c', thumb: 'down', stars: 4, model: 'm2' },
      { rater: 'r2', prompt: 'd', output: 'd', thumb: 'up', stars: 5, model: 'm1' },
    ]);
    const ids = async (f: object) => (await listFeedback(store.db, { workspaceId: 'w' }, { limit: 50, ...f })).items.length;
    expect(await ids({ minStars: 2, maxStars: 2 })).toBe(2);
    expect(await ids({ minStars: 2, maxStars: 4 })).toBe(3);
    expect(await ids({ minStars: 4 })).toBe(2);
    expect(await ids({ maxStars: 2, model: 'm1' })).toBe(2);
    expect(await ids({ model: 'm1', thumb: 'down' })).toBe(1);
    expect(await ids({ model: 'm2', thumb: 'up' })).toBe(0);
    expect(await ids({ rater: 'r2', hasCorrection: false, kind: 'chat_response' })).toBe(2);
    expect(await ids({ minStars: 5, maxStars: 5, model: 'm1' })).toBe(1);
  });

  // A SQLite query plan (PostgreSQL plans by its statistics; its run has no such test, not a skipped one).
  if (process.env.GT_TEST_BACKEND !== 'postgres') {
    it('SQLite walks the open filter\'s index and reads the closed ones from its entries', () => {
      const plan = (store.sqlite!.prepare(
        "explain query plan select * from feedback where workspace_id = 'w' and deleted = 0 and model = 'm1' and (thumb || '') = 'down' and (stars + 0) = 2 order by created_at desc, id desc limit 51",
      ).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan).toContain('feedback_filter_model');
      expect(plan).not.toContain('TEMP B-TREE');
    });
  }
});
