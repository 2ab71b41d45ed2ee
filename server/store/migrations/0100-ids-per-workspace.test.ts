/**
 * Migration 0100-ids-per-workspace on a store that already holds data (issue 13, item 7): the
 * tables are re-keyed by workspace and id, nothing is lost, indexes and triggers are as in a store
 * made new, a second run changes nothing, and the store works on. Runs on SQLite and PostgreSQL.
 * (The behaviour itself is tested in server/store/ids-per-workspace.test.ts.)
 */
import path from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../shared/ids.ts';
import { makeFeedback, tempDir, upsert } from '../../../test/helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl, openTestStore, testBackend } from '../../../test/helpers/backend.ts';
import { MIGRATIONS } from './index.ts';
import * as m0100 from './0100-ids-per-workspace.ts';
import { migrateToLatest } from '../migrate.ts';
import { openSqlite } from '../open.ts';
import { openPostgres } from '../postgres.ts';
import { applyMutations } from '../feedback.ts';
import { attachChangeListeners } from '../feedback-changes.ts';
import { PROJECTIONS } from '../projections.ts';
import { eraseRater } from '../erase.ts';
import { rebuildRollups } from '../../insights/rollups.ts';
import { searchWorkspace } from '../../search/index.ts';
import type { DB } from '../schema.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A raw store handle on this run's backend, migrated by the test itself. */
async function rawStore(): Promise<{ db: Kysely<any>; schema?: string; close(): Promise<void> }> {
  if (testBackend() === 'postgres') {
    const url = await freshPostgresUrl();
    const pg = await openPostgres({ url, poolSize: 2, idleTimeoutMillis: 500 });
    return { db: pg.db, schema: pg.schema, close: async () => { await pg.db.destroy(); await dropPostgresSchema(url); } };
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: openSqlite(path.join(tempDir(), 'old.sqlite')) }) });
  return { db, close: () => db.destroy() };
}

/** Primary key columns of a table, in order. */
async function primaryKey(db: Kysely<any>, table: string, postgres: boolean): Promise<string[]> {
  if (!postgres) {
    const { rows } = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ attname: string }>`select a.attname from pg_constraint c
    cross join unnest(c.conkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
    where c.conrelid = to_regclass(${table}) and c.contype = 'p' order by k.ord`.execute(db);
  return rows.map((r) => r.attname);
}

async function indexNames(db: Kysely<any>, table: string, postgres: boolean): Promise<string[]> {
  const { rows } = postgres
    ? await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type in ('index', 'trigger') and tbl_name = ${table}`.execute(db);
  return rows.map((r) => r.name).filter((n) => !/_pkey$|^sqlite_autoindex_/.test(n)).sort();
}

describe('migration 0100-ids-per-workspace', () => {
  it('re-keys a store that holds records, events, examples and search entries, and keeps all of them', async () => {
    const store = await rawStore();
    closers.push(() => store.close());
    const { db } = store;
    const postgres = testBackend() === 'postgres';
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(store.schema ? { migrationTableSchema: store.schema } : {}) });
    expect((await migrator.migrateTo('0010-init')).error).toBeUndefined();
    const at = '2026-01-01T00:00:00.000Z';
    const shared = uuidv7();
    const row = (id: string, ws: string, bird: string) => {
      const record = { id, target: { kind: 'chat_response', key: `k-${bird}`, model: 'gpt-5', prompt: `Tell me of the ${bird}`, output: `The ${bird} is a bird.` }, rating: { thumb: 'up' }, createdAt: at, updatedAt: at };
      return {
        id, workspace_id: ws, rater_id: 'r1', client_id: null, target_key: `k-${bird}`, kind: 'chat_response', site: null, model: 'gpt-5', intent: null,
        project: null, subject: null, conversation_id: null, thumb: 'up', stars: null, label: null, created_at: at, updated_at: at, received_at: at,
        deleted: 0, record: JSON.stringify(record), content_hash: 'h',
      };
    };
    for (const ws of ['w1', 'w2']) await db.insertInto('workspaces').values({ id: ws, name: ws, created_at: at }).execute();
    const other = uuidv7();
    await db.insertInto('feedback').values([row(shared, 'w1', 'flamingo'), row(other, 'w2', 'heron')]).execute();
    await db.insertInto('feedback_events').values({ id: uuidv7(), workspace_id: 'w1', feedback_id: shared, op: 'create', actor_rater_id: 'r1', actor_token_id: null, client_id: null, at, before: null, after: '{}' }).execute();
    // Through 0020 (rollups rebuilt from the rows), 0060 (search backfilled) up to the one before.
    expect((await migrator.migrateTo('0090-feedback-conversation-index')).error).toBeUndefined();
    const traceId = uuidv7();
    await db.insertInto('trace_events').values({ id: traceId, seq: '0000000000001-000001-00000000', workspace_id: 'w1', type: 'comment.added', investigation_id: 'i', subject: null, data: '{}', at, received_at: at, rater_id: 'r1', token_id: null }).execute();
    // A store made new by this code, to compare the indexes with.
    const fresh = await openTestStore();
    closers.push(() => fresh.close());

    expect((await migrateToLatest(db, { schema: store.schema }))[0]).toBe('0100-ids-per-workspace');
    expect(await primaryKey(db, 'feedback', postgres)).toEqual(['workspace_id', 'id']);
    expect(await primaryKey(db, 'trace_events', postgres)).toEqual(['workspace_id', 'id']);
    expect(await primaryKey(db, 'feedback_examples', postgres)).toEqual(['workspace_id', 'feedback_id']);
    // Indexes and triggers as a store made new has them.
    for (const table of ['feedback', 'trace_events', 'feedback_examples']) {
      expect(await indexNames(db, table, postgres), table).toEqual(await indexNames(fresh.db as unknown as Kysely<any>, table, postgres));
    }
    expect((await db.selectFrom('feedback').select(['workspace_id', 'id']).orderBy('workspace_id').execute())).toEqual([{ workspace_id: 'w1', id: shared }, { workspace_id: 'w2', id: other }]);
    expect(await db.selectFrom('feedback_events').select('feedback_id').execute()).toEqual([{ feedback_id: shared }]);
    expect(await db.selectFrom('trace_events').select('id').execute()).toEqual([{ id: traceId }]);
    expect((await db.selectFrom('feedback_examples').select(['workspace_id', 'feedback_id']).orderBy('workspace_id').execute())).toEqual([
      { workspace_id: 'w1', feedback_id: shared },
      { workspace_id: 'w2', feedback_id: other },
    ]);
    // Running it again (a run that stopped before it was recorded) changes nothing.
    await m0100.up(db);
    expect(await primaryKey(db, 'feedback', postgres)).toEqual(['workspace_id', 'id']);

    // The store works on: w2 may now use w1's id; search finds what was indexed before; the
    // search entry of an erased record goes with it, and the rollups equal a recount.
    const typed = db as unknown as Kysely<DB>;
    // A raw handle, not opened with openStore: it gets the store's projections as openStore gives them.
    attachChangeListeners(typed, PROJECTIONS);
    const actor = { workspaceId: 'w2', raterId: 'r2', role: 'rater' as const, tokenId: null, clientId: null };
    const again = makeFeedback({ id: shared, comment: 'pelican in w2' });
    expect(await applyMutations(typed, actor, [upsert(again)])).toEqual([{ id: shared, status: 'applied' }]);
    expect((await searchWorkspace(typed, 'w1', 'flamingo', { limit: 10 })).hits.map((h) => h.id)).toEqual([shared]);
    expect((await searchWorkspace(typed, 'w2', 'pelican', { limit: 10 })).hits.map((h) => h.id)).toEqual([shared]);
    await eraseRater(typed, 'w1', 'r1');
    expect((await searchWorkspace(typed, 'w1', 'flamingo', { limit: 10 })).hits).toEqual([]);
    if (!postgres) {
      // The trigger, made again by the migration, found the entry under its new key.
      expect(await db.selectFrom('search_docs').select(['workspace_id', 'doc_key']).orderBy('doc_key').execute()).toEqual([
        { workspace_id: 'w2', doc_key: `feedback:w2:${other}` },
        { workspace_id: 'w2', doc_key: `feedback:w2:${shared}` },
      ].sort((x, y) => (x.doc_key < y.doc_key ? -1 : 1)));
    }
    expect((await searchWorkspace(typed, 'w2', 'pelican', { limit: 10 })).hits.map((h) => h.id)).toEqual([shared]);
    const rollups = async () => db.selectFrom('rollup_targets').select(['workspace_id', 'target_key', 'n']).orderBy('workspace_id').orderBy('target_key').execute();
    const before = await rollups();
    await rebuildRollups(db);
    expect(await rollups()).toEqual(before);
    expect(before.map((r) => r.workspace_id)).toEqual(['w2', 'w2']);
  });
});
