/**
 * The store's projections come with the store (ADR 0031): a process that opens a store and writes
 * feedback gets rollups, search entries and webhook outbox rows without importing any route, and
 * the listeners belong to that store, not to the process. This file imports no route and no app on
 * purpose (checked below), so it is such a process: vitest runs each file in a module graph of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { withGovernance } from './governance-tables.ts';
import { applyMutations, type Actor } from './feedback.ts';
import { attachChangeListeners, changeListenersOf, NoProjectionsError, type FeedbackChange } from './feedback-changes.ts';
import { eraseRater } from './erase.ts';
import { migrateToLatest } from './migrate.ts';
import type { Store } from './open.ts';
import { PROJECTIONS } from './projections.ts';
import type { DB } from './schema.ts';
import { createWebhook } from '../webhooks/store.ts';
import { searchWorkspace } from '../search/index.ts';
import { withWorkQueue } from './work-queue.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function store(): Promise<Store> {
  const s = await openTestStore();
  stores.push(s);
  await s.db.insertInto('workspaces').values({ id: 'w1', name: 'w1', created_at: new Date().toISOString() }).execute();
  return s;
}

const actor: Actor = { workspaceId: 'w1', raterId: 'r1', role: 'rater', tokenId: null, clientId: 'script' };

function downVote(comment: string) {
  const at = '2026-03-01T10:00:00.000Z';
  const feedback = {
    id: uuidv7(),
    target: { kind: 'chat_response', key: `k-${uuidv7()}`, model: 'gpt-5', prompt: 'Name a wading bird', output: 'The flamingo.' },
    rating: { thumb: 'down' },
    comment,
    createdAt: at,
    updatedAt: at,
  };
  return { id: feedback.id, op: 'upsert', updatedAt: at, feedback };
}

const counts = async (db: Kysely<DB>) => {
  const n = async (table: string) => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);
  return {
    rollups: await n('rollup_daily'),
    examples: await n('feedback_examples'),
    deliveries: await n('webhook_deliveries'),
    // The search index's rows: search_docs beside FTS5 on SQLite, search_index on PostgreSQL (migration 0180).
    searchDocs: await n(db.getExecutor().adapter instanceof SqliteAdapter ? 'search_docs' : 'search_index'),
  };
};

/** Every file `file` reaches through relative value imports (type-only imports are erased). */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm)) {
    reachable(path.resolve(path.dirname(file), (m[1] ?? m[2])!), seen);
  }
  return seen;
}

describe('projections belong to the opened store', () => {
  it('opening a store reaches no route, app or dashboard module', () => {
    const files = [...reachable(path.join(ROOT, 'server/store/open.ts'))].map((f) => path.relative(ROOT, f));
    expect(files).toContain('server/webhooks/outbox.ts');
    expect(files.filter((f) => /^server\/(routes|dashboard)\/|^server\/app\.ts$/.test(f))).toEqual([]);
  });

  it('a write gets webhook outbox rows, rollups, example hashes and search entries', async () => {
    const s = await store();
    await createWebhook(s.db, { workspaceId: 'w1', url: 'https://hooks.example.com/gt', events: ['feedback.negative'] });
    const before = await counts(s.db);
    expect(await applyMutations(s.db, actor, [downVote('pelican would have been better')])).toMatchObject([{ status: 'applied' }]);
    expect(before.searchDocs).toBe(0);
    // The search entry is a `lexical` job on the work queue, indexed by the worker or, as here, by
    // the next search before it reads (search/lexical-jobs.ts).
    expect(await counts(s.db)).toEqual({ rollups: 1, examples: 1, deliveries: 1, searchDocs: 0 });
    expect(await withWorkQueue(s.db).selectFrom('work_queue').select('kind').where('kind', '=', 'lexical').execute()).toHaveLength(1);
    const delivery = await withGovernance(s.db).selectFrom('webhook_deliveries').select('event').executeTakeFirstOrThrow();
    expect(delivery.event).toBe('feedback.negative');
    expect((await searchWorkspace(s.db, 'w1', 'pelican', { limit: 5 })).hits).toHaveLength(1);
    expect(await counts(s.db)).toMatchObject({ searchDocs: 1 });
  });

  it('erasure reaches the same projections', async () => {
    const s = await store();
    await applyMutations(s.db, actor, [downVote('heron')]);
    await eraseRater(s.db, 'w1', 'r1');
    expect(await counts(s.db)).toMatchObject({ rollups: 0, examples: 0, searchDocs: 0 });
    expect((await searchWorkspace(s.db, 'w1', 'heron', { limit: 5 })).hits).toEqual([]);
  });

  it('a database no store was opened on refuses feedback writes instead of skipping them', async () => {
    const raw = new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await migrateToLatest(raw);
    await raw.insertInto('workspaces').values({ id: 'w1', name: 'w1', created_at: new Date().toISOString() }).execute();
    await expect(applyMutations(raw, actor, [downVote('ibis')])).rejects.toBeInstanceOf(NoProjectionsError);
    // Rolled back: the record is not stored without its projections.
    expect(await raw.selectFrom('feedback').select('id').execute()).toEqual([]);
    attachChangeListeners(raw, PROJECTIONS);
    expect(await applyMutations(raw, actor, [downVote('ibis')])).toMatchObject([{ status: 'applied' }]);
    expect(await counts(raw)).toMatchObject({ rollups: 1, examples: 1 });
    await raw.destroy();
  });

  it('listeners are per store: derived handles and transactions find them, another store does not', async () => {
    const a = await store();
    const b = await store();
    expect(changeListenersOf(a.db)).toEqual(PROJECTIONS);
    expect(changeListenersOf(withGovernance(a.db))).toBe(changeListenersOf(a.db));
    await a.db.transaction().execute(async (trx) => expect(changeListenersOf(trx)).toBe(changeListenersOf(a.db)));
    const seen: FeedbackChange[][] = [];
    attachChangeListeners(b.db, [...PROJECTIONS, async (_trx, changes) => void seen.push(changes)]);
    await applyMutations(a.db, actor, [downVote('stork')]);
    expect(seen).toEqual([]);
    await applyMutations(b.db, actor, [downVote('stork')]);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]!.after.workspace_id).toBe('w1');
  });
});
