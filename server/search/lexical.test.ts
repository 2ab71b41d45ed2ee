/**
 * The lexical search contract, on whichever backend the run uses (SQLite FTS5 here, PostgreSQL
 * full-text search under vitest.postgres.config.ts): prompts, answers, comments, corrections, notes
 * and trace text are found; words match as prefixes and "quoted words" as phrases; ranking is
 * relevance boosted by recency and rating; hostile input never breaks a query; several raters on
 * one target are one hit; workspaces never see each other; erased rows leave the index.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { openTestStore, testBackend } from '../../test/helpers/backend.ts';
import { keepingText } from '../lib/program-text.ts';
import { eraseRater } from '../store/erase.ts';
import { applyMutations, type Actor } from '../store/feedback.ts';
import * as m0180 from '../store/migrations/0180-lexical-search.ts';
import type { Store } from '../store/open.ts';
import { ensureWorkspace } from '../store/tokens.ts';
import { appendTraceEvents } from '../store/trace-events.ts';
import { addNote } from '../subjects/notes.ts';
import { eventTexts } from './backend.ts';
import { searchBackendFor, searchWorkspace } from './index.ts';
import { catchUpLexical } from './lexical-jobs.ts';

const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

async function store() {
  const s = await openTestStore();
  stores.push(s);
  await ensureWorkspace(s.db, 'default');
  await ensureWorkspace(s.db, 'other');
  return s;
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

async function put(s: Store, records: ReturnType<typeof fb>[], who = actor()) {
  const results = await applyMutations(s.db, who, records.map(upsert));
  expect(results.every((r) => r.status === 'applied')).toBe(true);
}

async function trace(s: Store, events: { type: string; data: Record<string, unknown>; subject?: string }[], workspaceId = 'default', raterId = 'agent') {
  const results = await appendTraceEvents(
    s.db,
    { workspaceId, raterId, tokenId: null },
    events.map((e) => ({ investigationId: 'inv-1', ...e })),
    keepingText,
  );
  expect(results.map((r) => r.status)).toEqual(events.map(() => 'appended'));
  return results.map((r) => r.id);
}

const find = async (s: Store, q: string, workspaceId = 'default', limit = 20) => (await searchWorkspace(s.db, workspaceId, q, { limit })).hits;
const ids = (hits: { id: string }[]) => hits.map((h) => h.id);
/** What the index itself answers, without searchWorkspace's check that records are still live. */
/** What the index holds right now, without indexing what is queued (search/lexical-jobs.ts). */
const indexedNow = (s: Store, q: string, workspaceId = 'default') => searchBackendFor(s.db).search(s.db, workspaceId, q, { limit: 50 });
/** The index's answer after what is queued was indexed, as every search does first. */
const raw = async (s: Store, q: string, workspaceId = 'default') => {
  await catchUpLexical(s.db);
  return indexedNow(s, q, workspaceId);
};

describe(`lexical search on ${testBackend()}`, () => {
  it('finds every kind of text: prompts, answers, comments, corrections, notes and trace events', async () => {
    const s = await store();
    expect(searchBackendFor(s.db).name).toBe(testBackend() === 'sqlite' ? 'sqlite-fts5' : 'postgres-fts');
    const a = fb({ prompt: 'Why did the nightly orders DAG fail?' });
    const b = fb({ output: 'The warehouse connection timed out' });
    const c = fb({ comment: 'hallucinated a column called revenue_eur' });
    const d = fb({ correction: 'The real cause was a schema migration' });
    await put(s, [a, b, c, d]);
    await addNote(s.db, { workspaceId: 'default', raterId: 'r', name: 'Ana' }, 'dag:orders', { body: 'Known quirk: backfills run twice on Mondays' });
    const [hyp, comment] = await trace(s, [
      { type: 'hypothesis.generated', subject: 'public.orders', data: { hypothesis_id: 'h-77', text: 'NULL spike caused by the mobile app release' } },
      { type: 'comment.added', data: { comment: 'checked the ingestion lag dashboard' } },
    ]);

    expect(ids(await find(s, 'nightly'))).toEqual([a.id]);
    expect(ids(await find(s, 'warehouse timed'))).toEqual([b.id]);
    expect(ids(await find(s, 'revenue_eur'))).toEqual([c.id]);
    expect(ids(await find(s, 'migration'))).toEqual([d.id]);
    const notes = await find(s, 'backfill mondays');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ source: 'note', subject: 'dag:orders', ratings: 1, targetKey: null });
    expect(notes[0]!.snippet.some((p) => p.match && /backfill/i.test(p.text))).toBe(true);
    const events = await find(s, 'mobile release');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'event', id: hyp, subject: 'public.orders' });
    expect(events[0]!.snippet.some((p) => p.match && /mobile/i.test(p.text))).toBe(true);
    expect(ids(await find(s, 'ingestion'))).toEqual([comment]);
    // Identifiers in event data are not words.
    expect(await find(s, 'h-77')).toEqual([]);
  });

  it('matches words as prefixes and stems, "quoted words" as an exact phrase', async () => {
    const s = await store();
    const a = fb({ comment: 'the job failed with a timeout after the disk was full' });
    const b = fb({ comment: 'full rebuild of the disk index' });
    await put(s, [a, b]);
    expect(ids(await find(s, 'timeo'))).toEqual([a.id]);
    expect(ids(await find(s, 'failing'))).toEqual([a.id]); // stemmed
    expect(new Set(ids(await find(s, 'disk full')))).toEqual(new Set([a.id, b.id]));
    expect(ids(await find(s, '"disk was full"'))).toEqual([a.id]);
    expect(ids(await find(s, '"full rebuild"'))).toEqual([b.id]);
    expect(await find(s, '"rebuild full"')).toEqual([]);
    // Every term must occur.
    expect(await find(s, 'timeout rebuild')).toEqual([]);
  });

  it('ranks by relevance, then prefers recent and well-rated records', async () => {
    const s = await store();
    const now = Date.now();
    const iso = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    const oldDown = fb({ comment: 'latency regression seen' }, { createdAt: iso(300), updatedAt: iso(300), rating: { thumb: 'down' } });
    const newUp = fb({ comment: 'latency regression seen' }, { createdAt: iso(1), updatedAt: iso(1), rating: { thumb: 'up' } });
    const weak = fb({ prompt: 'latency' , output: 'a long answer that says many other things about queues and workers and retries' }, { createdAt: iso(1), updatedAt: iso(1) });
    await put(s, [oldDown, newUp, weak]);
    const hits = (await searchWorkspace(s.db, 'default', 'latency regression', { limit: 10, now })).hits;
    expect(ids(hits)).toEqual([newUp.id, oldDown.id]);
    const all = (await searchWorkspace(s.db, 'default', 'latency', { limit: 10, now })).hits;
    expect(ids(all).slice(0, 1)).toEqual([newUp.id]);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.score).toBeGreaterThanOrEqual(all[i]!.score);
    expect(all.every((h) => h.relevance > 0)).toBe(true);
    // What people wrote (the comment) outweighs the prompt at equal recency and neutral rating.
    expect(all.find((h) => h.id === newUp.id)!.relevance).toBeGreaterThan(all.find((h) => h.id === weak.id)!.relevance);
  });

  it('never passes typed syntax to the query parser: quotes, operators, NUL, 10k characters', async () => {
    const s = await store();
    const mine = fb({ comment: 'capybara seen near the lake' });
    await put(s, [mine]);
    const hostile = [
      '"', '""', "'", "''", '\\', 'a" OR "b', 'NEAR(a b', '*', ':*', 'col:1', ')(', '-x', 'AND', 'OR NOT',
      '&|!():*', "&|!():*'\"<->", 'a <-> b', 'a <2> b', '!!!', '(((', "'; drop table feedback; --", '\u0000', 'x\u0000y',
      'ünïcödé 😀', 'capybara'.repeat(1250), 'w '.repeat(5000), '"'.repeat(10_000), '&'.repeat(10_000),
    ];
    for (const q of hostile) await expect(find(s, q), q.slice(0, 20)).resolves.toBeDefined();
    // Operators around a word are not syntax: the word is still found.
    for (const q of ['capybara&|!():*', '!capybara', '(capybara)', "'capybara'", 'capyb*', 'capybara\u0000', '"capybara seen"']) {
      expect(ids(await find(s, q)), q).toEqual([mine.id]);
    }
    // A prefix that is itself stemmed ("capy" → "capi"): FTS5's porter tokenizer stems it and
    // misses; PostgreSQL also matches the word as typed (ADR 0040).
    expect(ids(await find(s, 'capy'))).toEqual(testBackend() === 'postgres' ? [mine.id] : []);
    expect(await find(s, '&|!():*')).toEqual([]);
    // Stored hostile text comes back as parts, never as markup.
    const html = fb({ comment: '<img src=x onerror=alert(1)> capybara' });
    await put(s, [html]);
    const hit = (await find(s, 'onerror'))[0]!;
    expect(hit.snippet.map((p) => p.text).join('')).toContain('<img src=x');
    // Trace data with a NUL (escaped in its JSON) is indexed, not refused.
    await trace(s, [{ type: 'comment.added', data: { comment: 'nul\u0000inside okapi' } }]);
    expect(await find(s, 'okapi')).toHaveLength(1);
  });

  it('shows one hit per target, however many raters rated it, with the count and mean rating of its live records', async () => {
    const s = await store();
    const key = 'item:dag-orders-2026-01-02';
    const target = { kind: 'chat_response', key, prompt: 'Why did the orders DAG fail on Friday?', output: 'Upstream schema drift' };
    const up = fb({ comment: 'right, schema drift in orders' }, { target, rating: { thumb: 'up' } });
    const down = fb({ comment: 'wrong, orders failed on disk' }, { target, rating: { thumb: 'down' } });
    const third = fb({}, { target, rating: { stars: 5 } });
    const elsewhere = fb({ prompt: 'orders backfill question' });
    await put(s, [up], actor('rater_a'));
    await put(s, [down], actor('rater_b'));
    await put(s, [third], actor('rater_c'));
    await put(s, [elsewhere], actor('rater_a'));
    const hits = await find(s, 'orders');
    expect(hits.filter((h) => h.targetKey === key)).toHaveLength(1);
    expect(hits).toHaveLength(2);
    const hit = hits.find((h) => h.targetKey === key)!;
    expect(hit).toMatchObject({ source: 'feedback', ratings: 3 });
    expect(hit.quality).toBeCloseTo((1 + 0 + 1) / 3);
    // The record standing for the target is the best match: "schema drift" occurs in one comment only.
    expect(ids((await find(s, 'drift')).filter((h) => h.targetKey === key))).toEqual([up.id]);
    const drift = (await find(s, 'drift'))[0]!;
    expect(drift).toMatchObject({ ratings: 3 });
    // Found by one rater's words only, the hit still counts every live record on the target.
    expect((await find(s, 'disk'))[0]).toMatchObject({ id: down.id, targetKey: key, ratings: 3 });
    expect((await find(s, 'disk'))[0]!.quality).toBeCloseTo(2 / 3);
    // A rater's record leaving takes it out of the count.
    await applyMutations(s.db, actor('rater_b'), [{ id: down.id, op: 'delete', updatedAt: new Date(Date.parse(down.updatedAt) + 1000).toISOString() }]);
    expect((await find(s, 'drift'))[0]).toMatchObject({ id: up.id, ratings: 2, quality: 1 });
  });

  it('stays inside the workspace, for records, notes and trace events', async () => {
    const s = await store();
    const mine = fb({ comment: 'pangolin in workspace one' });
    const theirs = fb({ comment: 'pangolin in workspace two' });
    await put(s, [mine]);
    await put(s, [theirs], actor('rater_b', 'other'));
    await addNote(s.db, { workspaceId: 'other', raterId: 'r', name: 'Bo' }, 'dag:x', { body: 'pangolin note' });
    await trace(s, [{ type: 'evidence.collected', data: { summary: 'pangolin evidence' } }], 'other');
    expect(ids(await find(s, 'pangolin'))).toEqual([mine.id]);
    expect((await raw(s, 'pangolin')).map((h) => h.id)).toEqual([mine.id]);
    expect((await find(s, 'pangolin', 'other')).map((h) => h.source).sort()).toEqual(['event', 'feedback', 'note']);
  });

  it('forgets erased and deleted rows, whichever path deletes them', async () => {
    const s = await store();
    const a = fb({ comment: 'wombat record of rater a' });
    const b = fb({ comment: 'wombat record deleted by hand' });
    await put(s, [a], actor('rater_a'));
    await put(s, [b], actor('rater_b'));
    await addNote(s.db, { workspaceId: 'default', raterId: 'rater_a', name: 'Ana' }, 'dag:w', { body: 'wombat note by rater a' });
    await trace(s, [{ type: 'synthesis.generated', data: { summary: 'wombat synthesis' } }], 'default', 'rater_a');
    expect((await raw(s, 'wombat')).map((h) => h.source).sort()).toEqual(['event', 'feedback', 'feedback', 'note']);

    // Deletions leave the index in their own transaction: read without indexing anything queued.
    await eraseRater(s.db, 'default', 'rater_a');
    expect((await indexedNow(s, 'wombat')).map((h) => h.id)).toEqual([b.id]);
    await s.db.deleteFrom('feedback').where('id', '=', b.id).execute();
    expect(await indexedNow(s, 'wombat')).toEqual([]);

    // A soft delete through the API path leaves the index in the same transaction.
    const c = fb({ comment: 'quokka soon deleted' });
    await put(s, [c]);
    expect(await raw(s, 'quokka')).toHaveLength(1);
    await applyMutations(s.db, actor(), [{ id: c.id, op: 'delete', updatedAt: new Date(Date.parse(c.updatedAt) + 1000).toISOString() }]);
    expect(await indexedNow(s, 'quokka')).toEqual([]);
    // Deleted before the worker came by: nothing of it is indexed later either.
    const d = fb({ comment: 'axolotl deleted before indexing' });
    await put(s, [d]);
    await applyMutations(s.db, actor(), [{ id: d.id, op: 'delete', updatedAt: new Date(Date.parse(d.updatedAt) + 1000).toISOString() }]);
    expect(await raw(s, 'axolotl')).toEqual([]);
  });

  it('migration 0180 indexes records, notes and events stored before it ran', async () => {
    const s = await store();
    const a = fb({ comment: 'narwhal before the index' });
    await put(s, [a]);
    await addNote(s.db, { workspaceId: 'default', raterId: 'r', name: 'Ana' }, 'dag:n', { body: 'narwhal note' });
    const [ev] = await trace(s, [{ type: 'query.executed', data: { sql: 'select narwhal from sea' } }]);
    // Rewind what 0180 made (later migrations stay applied) and run it again.
    await m0180.down(s.db);
    if (testBackend() === 'sqlite') {
      expect(await sql`select count(*) as n from search_docs where source = 'event'`.execute(s.db).then((r) => r.rows[0])).toEqual({ n: 0 });
    } else {
      expect(await sql`select to_regclass('search_index') as t`.execute(s.db).then((r) => r.rows[0])).toEqual({ t: null });
    }
    await m0180.up(s.db);
    const hits = await find(s, 'narwhal');
    expect(new Set(ids(hits))).toEqual(new Set([a.id, ev!, hits.find((h) => h.source === 'note')!.id]));
    expect(hits.find((h) => h.source === 'feedback')).toMatchObject({ targetKey: a.target.key, ratings: 1 });
    // Its triggers work too.
    await sql`DELETE FROM trace_events WHERE id = ${ev!}`.execute(s.db);
    expect((await raw(s, 'narwhal')).map((h) => h.source).sort()).toEqual(['feedback', 'note']);
  });
});

describe('event text', () => {
  it('takes every string value but identifiers, comments as what people wrote', () => {
    const t = eventTexts(JSON.stringify({ target_id: 'x-1', id: 'e', investigationId: 'i', text: 'NULL spike', nested: { sql: ['select 1'] }, comment: 'right call', n: 3 }));
    expect(t.answer.split('\n').sort()).toEqual(['NULL spike', 'select 1']);
    expect(t.comment).toBe('right call');
    expect(eventTexts('not json').answer).toBe('not json');
  });
});

describe(`GET /v1/search over traces and shared targets (${testBackend()})`, () => {
  it('answers trace events and one hit per target through the API', async () => {
    const t = await createTestApp();
    stores.push(t.store);
    const program = await t.token('rater');
    const second = await t.token('rater');
    const analyst = await t.token('analyst');
    const events = [
      { type: 'hypothesis.generated', investigationId: 'inv-9', subject: 'public.orders', data: { hypothesis_id: 'h1', text: 'Duplicate orders from retry logic' } },
      { type: 'query.executed', investigationId: 'inv-9', subject: 'public.orders', data: { sql: 'select order_id, count(*) from orders group by 1 having count(*) > 1' } },
    ];
    expect((await t.call(program.token, 'POST', '/v1/events', { events })).status).toBe(200);
    const target = { ...makeFeedback().target, key: 'item:orders-dupes', prompt: 'Why are there duplicate orders?', output: 'Retry logic resubmits' };
    for (const who of [program.token, second.token]) {
      const rec = { ...makeFeedback({ target }), comment: 'retry logic confirmed' };
      expect((await t.call(who, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(rec)] })).status).toBe(200);
    }
    const res = await t.call(analyst.token, 'GET', '/v1/search?q=retry');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hits: { source: string; targetKey: string | null; ratings: number; subject: string | null }[] };
    expect(body.hits.map((h) => h.source).sort()).toEqual(['event', 'feedback']);
    expect(body.hits.find((h) => h.source === 'feedback')).toMatchObject({ targetKey: 'item:orders-dupes', ratings: 2 });
    expect(body.hits.find((h) => h.source === 'event')).toMatchObject({ subject: 'public.orders', targetKey: null, ratings: 1 });
  });
});
