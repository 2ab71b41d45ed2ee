/**
 * Migration 0240-flat-insights on a store that already holds feedback (issue 19, item 4): its SQL
 * backfill of rollup_distinct, rollup_agreement and rollup_targets.disagreement equals what the
 * live rollup code computes from the same rows (rebuildRollups), and a store made new has the
 * same indexes. Runs on SQLite and PostgreSQL.
 */
import { Kysely, Migrator } from 'kysely';
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

/** The new rollups, numbers as numbers, in a stable order. */
async function flat(db: Kysely<any>) {
  const distinct = (await db.selectFrom('rollup_distinct').selectAll().execute()).map((r) => [r.workspace_id, r.criterion, r.facet, r.day, r.prev_day, Number(r.n)].join('|')).sort();
  const agreement = (await db.selectFrom('rollup_agreement').selectAll().execute())
    .map((r) => [r.workspace_id, r.criterion, r.model, r.scale, Number(r.m), Number(r.c), Number(r.k), Number(r.n)].join('|'))
    .sort();
  const disagreement = (await db.selectFrom('rollup_targets').select(['workspace_id', 'criterion', 'target_key', 'model', 'disagreement']).execute())
    .map((r) => [r.workspace_id, r.criterion, r.target_key, r.model, Number(r.disagreement)].join('|'))
    .sort();
  return { distinct, agreement, disagreement };
}

describe('migration 0240-flat-insights', () => {
  it('backfills distinct members, agreement tallies and disagreement as the live rollups count', async () => {
    const store = await unmigratedStore();
    closers.push(store.close);
    const { db, schema } = store;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(schema ? { migrationTableSchema: schema } : {}) });
    expect((await migrator.migrateTo('0120-criteria-columns')).error).toBeUndefined();
    for (const ws of ['w1', 'w2']) await db.insertInto('workspaces').values({ id: ws, name: ws, created_at: '2026-01-01T00:00:00.000Z' }).execute();

    // Deterministic spread: 4 raters, 6 conversations, 6 days, 5 targets, two criteria, stars and thumbs.
    const rows = [];
    for (let i = 0; i < 90; i++) {
      const day = `2026-01-0${1 + ((i * 7) % 6)}T10:00:00.000Z`;
      const rater = `r${i % 4}`;
      const key = `k${(i * 3) % 5}`;
      const criterion = i % 3 === 0 ? 'correctness' : 'overall';
      const thumb = (i * 5) % 3 === 0 ? null : (i * 11) % 4 === 0 ? 'down' : 'up';
      const stars = i % 2 ? 1 + ((i * 13) % 5) : null;
      const id = uuidv7();
      const record = { id, target: { kind: 'chat_response', key }, rating: { ...(thumb ? { thumb } : {}), ...(stars ? { stars } : {}) }, createdAt: day, updatedAt: day };
      rows.push({
        id, workspace_id: i % 5 === 4 ? 'w2' : 'w1', rater_id: `${rater}-${i % 7}`, client_id: null, target_key: key, kind: 'chat_response', site: null,
        model: i % 4 === 1 ? null : `m${i % 2}`, intent: null, project: null, subject: null, conversation_id: i % 3 === 2 ? null : `c${i % 6}`,
        thumb, stars, label: thumb || stars ? null : 'meh', created_at: day, updated_at: day, received_at: day,
        deleted: i % 17 === 16 ? 1 : 0, record: JSON.stringify(record), content_hash: 'h', criterion, has_correction: 0,
      });
    }
    await db.insertInto('feedback').values(rows).execute();

    const applied = await migrateToLatest(db, { schema });
    expect(applied).toContain('0240-flat-insights');
    const fresh = await openTestStore();
    closers.push(() => fresh.close());
    for (const table of ['rollup_members', 'rollup_targets', 'rollup_distinct', 'rollup_agreement']) {
      expect(await indexNames(db, table), table).toEqual(await indexNames(fresh.db as unknown as Kysely<any>, table));
    }
    expect(await indexNames(db, 'rollup_targets')).toEqual(['rollup_targets_disputed', 'rollup_targets_disputed_model']);

    const migrated = await flat(db);
    expect(migrated.distinct.length).toBeGreaterThan(10);
    expect(migrated.agreement.some((r) => r.includes('|stars|'))).toBe(true);
    expect(migrated.disagreement.some((r) => !r.endsWith('|0'))).toBe(true);
    await rebuildRollups(db);
    expect(await flat(db)).toEqual(migrated);
  });
});
