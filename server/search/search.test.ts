/**
 * Search on a real SQLite file: the FTS5 index follows every change in the same transaction
 * (create, re-vote, delete, supersede, hard delete), ranks by relevance with the recency and rating
 * boosts, never lets user input break the FTS5 query, and stays inside one workspace. The contract
 * both backends share (PostgreSQL too) is checked in lexical.test.ts.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFeedback, tempDir, upsert } from '../../test/helpers/app.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { applyMutations, type Actor } from '../store/feedback.ts';
import * as m0060 from '../store/migrations/0060-dashboard.ts';
import * as m0180 from '../store/migrations/0180-lexical-search.ts';
import { openStore, SQLITE_FILE_NAME, type Store } from '../store/open.ts';
import { ensureWorkspace } from '../store/tokens.ts';
import { addNote } from '../subjects/notes.ts';
import { searchBackendFor, searchWorkspace } from './index.ts';
import { parseQuery, snippetOf, toFtsMatch, partsFromMarked } from './query.ts';
import { boostedScore, qualityOf } from './rank.ts';

const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

async function sqliteStore(dataDir = tempDir()) {
  const store = await openStore({ dataDir });
  stores.push(store);
  await ensureWorkspace(store.db, 'default');
  await ensureWorkspace(store.db, 'other');
  return store;
}

const actor = (raterId = 'rater_a', workspaceId = 'default'): Actor => ({ workspaceId, raterId, role: 'rater', tokenId: null, clientId: 'c1' });

function fb(text: { prompt?: string; output?: string; comment?: string; correction?: string }, extra: Record<string, unknown> = {}) {
  const base = makeFeedback(extra);
  return {
    ...base,
    target: { ...base.target, prompt: text.prompt ?? 'unrelated prompt', output: text.output ?? 'unrelated answer', ...(extra.target as object) },
    ...(text.comment ? { comment: text.comment } : {}),
    ...(text.correction ? { correction: { output: text.correction } } : {}),
  };
}

async function put(store: Store, records: ReturnType<typeof fb>[], who = actor()) {
  const results = await applyMutations(store.db, who, records.map(upsert));
  expect(results.every((r) => r.status === 'applied')).toBe(true);
}

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

describe('query parsing', () => {
  it('quotes every term, prefixes words, keeps phrases, drops FTS operators and empty input', () => {
    expect(parseQuery('  ')).toEqual([]);
    expect(parseQuery('"" * ^ -')).toEqual([]);
    const terms = parseQuery('timeout "disk full" NEAR( col:x');
    expect(terms).toEqual([
      { text: 'timeout', phrase: false },
      { text: 'disk full', phrase: true },
      { text: 'NEAR(', phrase: false },
      { text: 'col:x', phrase: false },
    ]);
    expect(toFtsMatch(terms)).toBe('"timeout"* "disk full" "NEAR("* "col:x"*');
    expect(parseQuery(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '))).toHaveLength(12);
    // A NUL would end SQLite's FTS5 query string early ("unterminated string").
    expect(parseQuery('a\u0000b')).toEqual([{ text: 'a', phrase: false }, { text: 'b', phrase: false }]);
  });

  it('snippets mark matches as parts, never as markup', () => {
    const parts = snippetOf('The <b>job</b> failed with a Timeout after 30s', parseQuery('timeout'));
    expect(parts.filter((p) => p.match).map((p) => p.text)).toEqual(['Timeout']);
    expect(parts.map((p) => p.text).join('')).toContain('<b>job</b>');
    expect(partsFromMarked('a \u0002b\u0003 c')).toEqual([
      { text: 'a ', match: false },
      { text: 'b', match: true },
      { text: ' c', match: false },
    ]);
  });

  it('boosts: recent and well-rated score higher for equal relevance, and never more than 2.25×', () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const fresh = boostedScore(1, '2026-03-01T00:00:00Z', 1, now);
    const old = boostedScore(1, '2025-03-01T00:00:00Z', 1, now);
    const bad = boostedScore(1, '2026-03-01T00:00:00Z', 0, now);
    expect(fresh).toBeCloseTo(2.25);
    expect(old).toBeLessThan(fresh);
    expect(bad).toBeLessThan(fresh);
    expect(qualityOf({ thumb: 'up', stars: 1 })).toBe(0.5);
    expect(qualityOf({})).toBeNull();
  });
});

describe('SQLite FTS5 search', () => {
  it('is the backend for a SQLite store and finds prompts, answers, comments, corrections and notes', async () => {
    const store = await sqliteStore();
    expect(searchBackendFor(store.db).name).toBe('sqlite-fts5');
    const a = fb({ prompt: 'Why did the nightly orders DAG fail?' });
    const b = fb({ output: 'The warehouse connection timed out' });
    const c = fb({ comment: 'hallucinated a column called revenue_eur' });
    const d = fb({ correction: 'The real cause was a schema migration' });
    await put(store, [a, b, c, d]);
    await addNote(store.db, { workspaceId: 'default', raterId: 'r', name: 'Ana' }, 'dag:orders', { body: 'Known quirk: backfills run twice on Mondays' });

    expect(ids((await searchWorkspace(store.db, 'default', 'nightly', { limit: 10 })).hits)).toEqual([a.id]);
    expect(ids((await searchWorkspace(store.db, 'default', 'warehouse timed', { limit: 10 })).hits)).toEqual([b.id]);
    expect(ids((await searchWorkspace(store.db, 'default', 'revenue_eur', { limit: 10 })).hits)).toEqual([c.id]);
    expect(ids((await searchWorkspace(store.db, 'default', 'migration', { limit: 10 })).hits)).toEqual([d.id]);
    const notes = (await searchWorkspace(store.db, 'default', 'backfill mondays', { limit: 10 })).hits;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ source: 'note', subject: 'dag:orders' });
    expect(notes[0]!.snippet.some((p) => p.match && /backfill/i.test(p.text))).toBe(true);
    // Stemming and prefixes: "timing" and "time" find "timed"; "warehous" finds "warehouse".
    expect(ids((await searchWorkspace(store.db, 'default', 'warehous', { limit: 10 })).hits)).toEqual([b.id]);
  });

  it('follows re-votes, deletes, supersedes and hard deletes in the same transaction', async () => {
    const store = await sqliteStore();
    const a = fb({ comment: 'first wording about zebras' });
    await put(store, [a]);
    expect(ids((await searchWorkspace(store.db, 'default', 'zebras', { limit: 10 })).hits)).toEqual([a.id]);

    const later = new Date(Date.parse(a.updatedAt) + 1000).toISOString();
    const edited = { ...a, comment: 'second wording about giraffes', updatedAt: later };
    await put(store, [edited]);
    expect((await searchWorkspace(store.db, 'default', 'zebras', { limit: 10 })).hits).toEqual([]);
    expect(ids((await searchWorkspace(store.db, 'default', 'giraffes', { limit: 10 })).hits)).toEqual([a.id]);

    // A second device votes on the same target with a new id: the old record is superseded.
    const other = { ...edited, id: uuidv7(), updatedAt: new Date(Date.parse(later) + 1000).toISOString(), comment: 'third about okapis' };
    await put(store, [other]);
    expect(ids((await searchWorkspace(store.db, 'default', 'giraffes', { limit: 10 })).hits)).toEqual([]);
    expect(ids((await searchWorkspace(store.db, 'default', 'okapis', { limit: 10 })).hits)).toEqual([other.id]);

    await applyMutations(store.db, actor(), [{ id: other.id, op: 'delete', updatedAt: new Date(Date.parse(other.updatedAt) + 1000).toISOString() }]);
    expect((await searchWorkspace(store.db, 'default', 'okapis', { limit: 10 })).hits).toEqual([]);

    // A hard delete that bypasses applyMutations (purge, erasure) still takes the text out (trigger).
    const b = fb({ comment: 'secret about pangolins' });
    await put(store, [b]);
    await store.db.deleteFrom('feedback').where('id', '=', b.id).execute();
    const left = store.sqlite!.prepare("select count(*) n from search_fts where search_fts match 'pangolins'").get() as { n: number };
    expect(left.n).toBe(0);
  });

  it('ranks by relevance, then prefers recent and well-rated records', async () => {
    const store = await sqliteStore();
    const now = Date.now();
    const iso = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    const strong = fb({ comment: 'latency latency latency regression' }, { createdAt: iso(400), updatedAt: iso(400), rating: { thumb: 'down' } });
    const oldDown = fb({ comment: 'latency regression seen' }, { createdAt: iso(300), updatedAt: iso(300), rating: { thumb: 'down' } });
    const newUp = fb({ comment: 'latency regression seen' }, { createdAt: iso(1), updatedAt: iso(1), rating: { thumb: 'up' } });
    await put(store, [strong, oldDown, newUp]);
    const hits = (await searchWorkspace(store.db, 'default', 'latency', { limit: 10, now })).hits;
    expect(ids(hits)).toContain(newUp.id);
    // Same text: the recent, up-rated one outranks the old, down-rated one.
    expect(ids(hits).indexOf(newUp.id)).toBeLessThan(ids(hits).indexOf(oldDown.id));
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(hits.every((h) => h.relevance > 0)).toBe(true);
  });

  it('stays inside the workspace and survives hostile input', async () => {
    const store = await sqliteStore();
    const mine = fb({ comment: 'capybara in workspace one' });
    const theirs = fb({ comment: 'capybara in workspace two' });
    await put(store, [mine]);
    await put(store, [theirs], actor('rater_b', 'other'));
    expect(ids((await searchWorkspace(store.db, 'default', 'capybara', { limit: 10 })).hits)).toEqual([mine.id]);
    expect(ids((await searchWorkspace(store.db, 'other', 'capybara', { limit: 10 })).hits)).toEqual([theirs.id]);
    for (const q of ['"', 'a" OR "b', 'NEAR(a b', '*', 'col:1', ')(', '-x', 'AND', "'; drop table feedback; --"]) {
      await expect(searchWorkspace(store.db, 'default', q, { limit: 5 })).resolves.toBeDefined();
    }
    const hostile = fb({ comment: '<img src=x onerror=alert(1)> capybara' });
    await put(store, [hostile]);
    const hit = (await searchWorkspace(store.db, 'default', 'onerror', { limit: 5 })).hits[0]!;
    expect(hit.snippet.map((p) => p.text).join('')).toContain('<img src=x');
  });

  it('the migration indexes records stored before it ran', async () => {
    const dataDir = tempDir();
    const store = await sqliteStore(dataDir);
    const a = fb({ comment: 'wombat before the index existed' });
    await put(store, [a]);
    await store.close();
    stores.pop();
    // Rewind: drop what the migration made, as a store from an earlier version would lack it, and
    // run the migration itself again (later migrations stay applied: the migrator would refuse to
    // run an earlier one after them).
    const raw = new Database(path.join(dataDir, SQLITE_FILE_NAME));
    raw.exec(`DROP TRIGGER search_forget_feedback; DROP TRIGGER search_forget_note; DROP TABLE search_fts; DROP TABLE search_docs;
      DROP TABLE dashboard_sessions; DROP TABLE subject_notes; DROP INDEX feedback_ws_subject;`);
    raw.close();
    const again = await sqliteStore(dataDir);
    await m0060.up(again.db);
    await m0180.up(again.db);
    expect(ids((await searchWorkspace(again.db, 'default', 'wombat', { limit: 5 })).hits)).toEqual([a.id]);
  });
});
