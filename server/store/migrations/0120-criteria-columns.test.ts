/**
 * Migration 0120-criteria-columns on a store that already holds records: `criterion` and
 * `has_correction` are filled from the stored JSON (records holding an escaped U+0000 or a lone
 * surrogate in their page text included, which PostgreSQL's json operators refuse), the live-vote index admits one live record
 * per rater + target + criterion, and a second run changes nothing. Runs on SQLite and PostgreSQL.
 */
import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, testBackend } from '../../../test/helpers/backend.ts';
import { unmigratedStore } from '../../../test/helpers/unmigrated-store.ts';
import { carriesCorrection } from '../../../shared/feedback-fields.ts';
import { MIGRATIONS } from './index.ts';
import * as m0120 from './0120-criteria-columns.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function rawStore(): Promise<{ db: Kysely<any>; schema?: string }> {
  const store = await unmigratedStore();
  closers.push(store.close);
  return store;
}

const at = '2026-01-01T00:00:00.000Z';
/** The records as a store before 0120 held them, and what the columns must say afterwards. */
const RECORDS: { id: string; extra: Record<string, unknown>; prompt?: string; criterion: string }[] = [
  { id: 'plain', extra: {}, criterion: 'overall' },
  { id: 'named', extra: { criterion: 'task_quality' }, criterion: 'task_quality' },
  { id: 'corrected', extra: { correction: { output: 'The right answer.' } }, criterion: 'overall' },
  { id: 'fields', extra: { correction: { fields: { label: 'spam' } } }, criterion: 'overall' },
  { id: 'empty-correction', extra: { correction: { output: '', fields: {} } }, criterion: 'overall' },
  { id: 'nul-text', extra: { criterion: 'correctness', correction: { output: 'a\u0000b' } }, prompt: 'x\u0000y', criterion: 'correctness' },
  // A lone surrogate is valid JSON (JSON.stringify escapes it) that PostgreSQL's json type refuses.
  { id: 'surrogate-text', extra: { criterion: 'helpfulness', correction: { output: 'fixed' } }, prompt: 'x\ud800y', criterion: 'helpfulness' },
];

function oldRow(r: (typeof RECORDS)[number]) {
  const record = {
    id: r.id,
    target: { kind: 'chat_response', key: `k-${r.id}`, ...(r.prompt ? { prompt: r.prompt } : {}) },
    rating: { thumb: 'up' },
    ...r.extra,
    createdAt: at,
    updatedAt: at,
  };
  return {
    id: r.id, workspace_id: 'w1', rater_id: 'r1', client_id: null, target_key: `k-${r.id}`, kind: 'chat_response', site: null, model: null,
    intent: null, project: null, subject: null, conversation_id: null, thumb: 'up', stars: null, label: null, created_at: at,
    updated_at: at, received_at: at, deleted: 0, record: JSON.stringify(record), content_hash: 'h',
  };
}

describe('migration 0120-criteria-columns', () => {
  it('fills criterion and has_correction from the stored records and widens the live index to the criterion', async () => {
    const { db, schema } = await rawStore();
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(schema ? { migrationTableSchema: schema } : {}) });
    expect((await migrator.migrateTo('0110-audit')).error).toBeUndefined();
    await db.insertInto('workspaces').values({ id: 'w1', name: 'w1', created_at: at }).execute();
    for (const r of RECORDS) await db.insertInto('feedback').values(oldRow(r)).execute();
    // A tombstone of a record this server never saw has no JSON.
    await db.insertInto('feedback').values({ ...oldRow(RECORDS[0]!), id: 'gone', target_key: '', deleted: 1, record: null, content_hash: 'deleted' }).execute();

    expect((await migrator.migrateTo('0120-criteria-columns')).error).toBeUndefined();
    const rows = await db.selectFrom('feedback').select(['id', 'criterion', 'has_correction', 'record']).orderBy('id').execute();
    const expected = [
      ...RECORDS.map((r) => ({
        id: r.id,
        criterion: r.criterion,
        has_correction: carriesCorrection(JSON.parse(oldRow(r).record)) ? 1 : 0,
      })),
      { id: 'gone', criterion: 'overall', has_correction: 0 },
    ].sort((a, b) => a.id.localeCompare(b.id));
    expect(rows.map(({ id, criterion, has_correction }) => ({ id, criterion, has_correction: Number(has_correction) }))).toEqual(expected);
    expect(expected.filter((e) => e.has_correction).map((e) => e.id).sort()).toEqual(['corrected', 'fields', 'nul-text', 'surrogate-text']);

    // Run again (a run that stopped before Kysely recorded it): nothing changes.
    await m0120.up(db);
    const again = await db.selectFrom('feedback').select(['id', 'criterion', 'has_correction']).where('id', 'in', RECORDS.map((r) => r.id)).orderBy('id').execute();
    expect(again.map((r) => ({ ...r, has_correction: Number(r.has_correction) }))).toEqual(rows.filter((r) => r.id !== 'gone').map(({ record: _r, ...r }) => ({ ...r, has_correction: Number(r.has_correction) })));

    // One live record per rater + target + criterion: another criterion of the same target is welcome, the same one is not.
    const named = oldRow(RECORDS[1]!);
    await db.insertInto('feedback').values({ ...named, id: 'same-target-overall', criterion: 'overall', has_correction: 0 }).execute();
    await expect(
      db.insertInto('feedback').values({ ...named, id: 'same-target-again', criterion: 'task_quality', has_correction: 0 }).execute(),
    ).rejects.toThrow(/unique|UNIQUE/);
    // A deleted one is outside the partial index.
    await db.insertInto('feedback').values({ ...named, id: 'same-target-deleted', criterion: 'task_quality', has_correction: 0, deleted: 1 }).execute();

    const indexes =
      testBackend() === 'postgres'
        ? (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'feedback'`.execute(db)).rows
        : (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'feedback'`.execute(db)).rows;
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['feedback_live_target', 'feedback_ws_criterion']));

  });

  it('leaves a store made new with the live index on rater, target, criterion and (since 0200) judge', async () => {
    const store = await openTestStore();
    closers.push(() => store.close());
    const { rows } =
      testBackend() === 'postgres'
        ? await sql<{ def: string }>`select indexdef as def from pg_indexes where schemaname = current_schema() and indexname = 'feedback_live_target'`.execute(store.db)
        : await sql<{ def: string }>`select sql as def from sqlite_master where type = 'index' and name = 'feedback_live_target'`.execute(store.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.def.replace(/"/g, '')).toMatch(/UNIQUE INDEX feedback_live_target ON (\S+\.)?feedback (USING btree )?\(workspace_id, rater_id, target_key, criterion, source_name\) WHERE \(?deleted = 0\)?/i);
  });
});
