/**
 * Semantic and hybrid search against a local fake embeddings endpoint whose vectors the test
 * controls (test/helpers/fake-embeddings.ts), through the real interfaces: records posted with
 * POST /v1/feedback, the work queue drained by the worker's own steps (jobs/indexer.ts), and
 * GET /v1/search. Runs on SQLite and, under vitest.postgres.config.ts, on PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { createIndexer, startIndexer, type IndexerCore } from '../../jobs/indexer.ts';
import { jobBeats } from '../../metrics/heartbeat.ts';
import { eraseRater, purgeOlderThan } from '../../store/erase.ts';
import type { Store } from '../../store/open.ts';
import { createToken } from '../../store/tokens.ts';
import { queueLag, withWorkQueue } from '../../store/work-queue.ts';
import { makeFeedback } from '../../../test/helpers/app.ts';
import { openTestStore } from '../../../test/helpers/backend.ts';
import { deadEndpoint, startFakeEmbeddings, type FakeEmbeddings } from '../../../test/helpers/fake-embeddings.ts';
import type { EmbeddingsConfig } from './config.ts';
import { NOT_CONFIGURED } from './search.ts';
import { withVectors } from './vectors.ts';
import { reciprocalRankFusion } from './fuse.ts';
import { embedTexts } from './client.ts';

let fake: FakeEmbeddings;
beforeAll(async () => {
  fake = await startFakeEmbeddings();
});
afterAll(async () => {
  await fake.close();
});

const stores: Store[] = [];
afterEach(async () => {
  fake.mode = 'ok';
  fake.failNext = 0;
  fake.requests.length = 0;
  while (stores.length) await stores.pop()!.close();
});

async function setup(embeddings: EmbeddingsConfig | null = fake.config()) {
  const store = await openTestStore();
  stores.push(store);
  const app = createApp({ store, embeddings, rateLimitPerMinute: 0 });
  const tokens = new Map<string, string>();
  async function token(role: 'rater' | 'analyst', workspaceId = 'default', raterId = 'rater_a') {
    const key = `${role}:${workspaceId}:${raterId}`;
    if (!tokens.has(key)) tokens.set(key, (await createToken(store.db, { role, name: key, workspaceId, raterId })).token);
    return tokens.get(key)!;
  }
  async function post(text: string, opts: { workspaceId?: string; raterId?: string; thumb?: 'up' | 'down'; key?: string; createdAt?: string } = {}) {
    const base = makeFeedback();
    const record = {
      ...base,
      target: { ...base.target, key: opts.key ?? base.target.key, prompt: 'What went wrong in the pipeline?', output: text },
      rating: { thumb: opts.thumb ?? 'up' },
      createdAt: opts.createdAt ?? new Date().toISOString(),
      updatedAt: opts.createdAt ?? new Date().toISOString(),
    };
    const res = await app.request('/v1/feedback', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token('rater', opts.workspaceId, opts.raterId)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(record),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return record;
  }
  async function search(q: string, workspaceId = 'default') {
    const res = await app.request(`/v1/search?q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${await token('analyst', workspaceId, 'analyst')}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      mode: 'hybrid' | 'lexical';
      warnings: string[];
      hits: { id: string; source: string; matchedBy: string[]; similarity?: number; score: number; snippet: { text: string }[] }[];
    };
  }
  const indexer = (config: EmbeddingsConfig | null = embeddings, extra: Parameters<typeof createIndexer>[1] extends infer O ? Partial<O> : never = {}): IndexerCore =>
    createIndexer(store.db, { embeddings: config, retryBaseMs: 0, callAttempts: 1, ...extra });
  const counts = async () => ({
    vectors: Number((await withVectors(store.db).selectFrom('search_vectors').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    // embed jobs only: every write also queues a lexical one (search/lexical-jobs.ts)
    queued: (await withWorkQueue(store.db).selectFrom('work_queue').select('ref').where('kind', '=', 'embed').execute()).length,
  });
  return { store, app, post, search, indexer, counts };
}

describe('semantic search through the work queue', () => {
  it('finds a paraphrase that shares no word with the query, by meaning (hybrid mode)', async () => {
    const t = await setup();
    const spike = await t.post('NULL spike from the mobile release');
    await t.post('Duplicate orders from retry logic');
    await t.post('Missing EU data during CDN migration');
    await t.indexer().drain();
    const lexicalOnly = await t.search('missing values after the app update');
    expect(lexicalOnly.mode).toBe('hybrid');
    expect(lexicalOnly.warnings).toEqual([]);
    expect(lexicalOnly.hits.map((h) => h.id)).toEqual([spike.id]);
    expect(lexicalOnly.hits[0]).toMatchObject({ matchedBy: ['semantic'], similarity: expect.any(Number) });
    expect(lexicalOnly.hits[0]!.similarity!).toBeGreaterThan(0.8);
    expect(lexicalOnly.hits[0]!.snippet.map((p) => p.text).join('')).toContain('NULL spike');
  });

  it('fuses both lists: a record found by words and meaning beats one found by meaning alone; feedback score and recency boost', async () => {
    const t = await setup();
    const both = await t.post('Duplicate orders from retry logic');
    const meaningOnly = await t.post('Repeated purchases after a network hiccup');
    const unrelated = await t.post('Timeout on the warehouse loader');
    // Two records of the same text on different targets: the well-rated one ranks first.
    const praised = await t.post('Doubled checkout rows', { thumb: 'up' });
    const panned = await t.post('Doubled checkout rows', { thumb: 'down' });
    await t.indexer().drain();
    const result = await t.search('duplicate orders');
    const ids = result.hits.map((h) => h.id);
    expect(result.mode).toBe('hybrid');
    expect(ids[0]).toBe(both.id);
    expect(result.hits[0]!.matchedBy).toEqual(['lexical', 'semantic']);
    expect(ids).toContain(meaningOnly.id);
    expect(result.hits.find((h) => h.id === meaningOnly.id)!.matchedBy).toEqual(['semantic']);
    expect(ids).not.toContain(unrelated.id);
    expect(ids.indexOf(praised.id)).toBeLessThan(ids.indexOf(panned.id));
    // Scores are the order of the list.
    const scores = result.hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    // Recency: the same text, a year older, ranks below the fresh one.
    const old = await t.post('Doubled checkout rows', { thumb: 'up', createdAt: new Date(Date.now() - 365 * 86_400_000).toISOString() });
    await t.indexer().drain();
    const again = (await t.search('duplicate orders')).hits.map((h) => h.id);
    expect(again.indexOf(praised.id)).toBeLessThan(again.indexOf(old.id));
  });

  it('degrades to lexical with a warning when the endpoint is down, refuses or hangs, and says so when none is configured', async () => {
    const t = await setup();
    const rec = await t.post('Duplicate orders from retry logic');
    await t.indexer().drain();
    const down = await setup({ ...fake.config(), url: await deadEndpoint() });
    await down.post('Duplicate orders from retry logic');
    let res = await down.search('duplicate orders');
    expect(res.mode).toBe('lexical');
    expect(res.warnings).toEqual(['the embeddings endpoint did not answer: lexical results only']);
    expect(res.hits).toHaveLength(1);
    expect(res.hits[0]!.matchedBy).toEqual(['lexical']);

    fake.mode = 'error';
    res = await t.search('duplicate orders');
    expect(res).toMatchObject({ mode: 'lexical', warnings: ['the embeddings endpoint answered HTTP 503: lexical results only'] });
    expect(res.hits.map((h) => h.id)).toEqual([rec.id]);

    const slow = await setup(fake.config({ timeoutMs: 200 }));
    fake.mode = 'hang';
    res = await slow.search('duplicate orders');
    expect(res).toMatchObject({ mode: 'lexical', warnings: ['the embeddings endpoint did not answer within 200 ms: lexical results only'] });

    const none = await setup(null);
    await none.post('Duplicate orders from retry logic');
    res = await none.search('duplicate orders');
    expect(res).toMatchObject({ mode: 'lexical', warnings: [NOT_CONFIGURED] });
    expect(res.hits).toHaveLength(1);
    // Without an endpoint the worker drops the jobs (a backfill queues them once one is set).
    expect((await none.counts()).queued).toBe(1);
    await none.indexer().drain();
    expect(await none.counts()).toEqual({ vectors: 0, queued: 0 });
    expect(await none.indexer(fake.config()).backfill()).toBe(1);
  });

  it('the dashboard page says which mode ran and why it is lexical', async () => {
    const page = async (t: Awaited<ReturnType<typeof setup>>, q: string) => {
      const analyst = await createToken(t.store.db, { role: 'analyst', name: 'dash', raterId: 'dash' });
      const signIn = await t.app.request('/dashboard/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
        body: new URLSearchParams({ token: analyst.token }).toString(),
      });
      const cookie = (signIn.headers.get('Set-Cookie') ?? '').split(';')[0]!;
      const res = await t.app.request(`/dashboard/search?q=${encodeURIComponent(q)}`, { headers: { Cookie: cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const t = await setup();
    await t.post('NULL spike from the mobile release');
    await t.indexer().drain();
    const hybrid = await page(t, 'missing values after the app update');
    expect(hybrid).toContain('data-mode="hybrid"');
    expect(hybrid).toContain('NULL spike');
    expect(hybrid).toContain('>meaning</span>');
    expect(hybrid).not.toContain('data-gt="search-warning"');
    const none = await setup(null);
    await none.post('NULL spike from the mobile release');
    const lexical = await page(none, 'NULL spike');
    expect(lexical).toContain('data-mode="lexical"');
    expect(lexical).toMatch(/data-gt="search-warning"[^>]*>semantic search is not configured/);
  });

  it('no workspace sees another workspace\'s hits', async () => {
    const t = await setup();
    const mine = await t.post('NULL spike from the mobile release');
    const theirs = await t.post('NULL spike from the mobile release', { workspaceId: 'other', raterId: 'rater_b' });
    await t.indexer().drain();
    expect((await t.search('missing values after the app update')).hits.map((h) => h.id)).toEqual([mine.id]);
    expect((await t.search('missing values after the app update', 'other')).hits.map((h) => h.id)).toEqual([theirs.id]);
    expect((await t.search('NULL spike', 'other')).hits.map((h) => h.id)).toEqual([theirs.id]);
  });

  it('the worker drains the queue in batches, skips re-votes, re-embeds edited text and, after a model change, everything', async () => {
    const t = await setup(fake.config({ batchSize: 20 }));
    const posted = [];
    for (let i = 0; i < 45; i++) posted.push(await t.post(`Duplicate orders number ${i}`));
    expect(await t.counts()).toEqual({ vectors: 0, queued: 45 });
    const lag = await queueLag(t.store.db, new Date(Date.now() + 10_000));
    expect(lag.oldestSeconds).toBeGreaterThan(9);
    await t.indexer().drain();
    expect(await t.counts()).toEqual({ vectors: 45, queued: 0 });
    expect(fake.requests.map((r) => r.input.length)).toEqual([20, 20, 5]);
    expect(fake.requests.every((r) => r.authorization === undefined && r.model === 'fake-concepts')).toBe(true);

    // A re-vote leaves the text alone: nothing queued. An edit of the text is queued again.
    const first = posted[0]!;
    const rater = await createToken(t.store.db, { role: 'rater', name: 'again', raterId: 'rater_a' });
    const patch = (body: unknown) =>
      t.app.request(`/v1/feedback/${first.id}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${rater.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await patch({ rating: { thumb: 'down' }, updatedAt: new Date(Date.now() + 1000).toISOString() })).status).toBeLessThan(300);
    expect((await t.counts()).queued).toBe(0);
    expect((await patch({ comment: 'actually a NULL spike', updatedAt: new Date(Date.now() + 2000).toISOString() })).status).toBeLessThan(300);
    expect((await t.counts()).queued).toBe(1);
    await t.indexer().drain();
    expect(fake.requests.at(-1)!.input).toHaveLength(1);

    // Another model: its vectors are never compared with the old ones; the backfill re-embeds all.
    const next = fake.config({ model: 'fake-concepts-v2', apiKey: 'sk-test-secret' });
    expect(await t.indexer(next).backfill()).toBe(45);
    await t.indexer(next).drain();
    const models = await withVectors(t.store.db).selectFrom('search_vectors').select('model').distinct().execute();
    expect(models.map((m) => m.model)).toEqual(['fake-concepts-v2']);
    expect(fake.requests.at(-1)!.authorization).toBe('Bearer sk-test-secret');
  });

  it('the started worker backfills, drains what is written while it runs and heartbeats into readiness', async () => {
    const t = await setup(null);
    await t.post('NULL spike from the mobile release'); // written while no endpoint was set
    const worker = startIndexer(t.store.db, { embeddings: fake.config(), pollMs: 10 });
    try {
      await t.post('Duplicate orders from retry logic');
      await expect.poll(() => t.counts(), { timeout: 10_000, interval: 20 }).toEqual({ vectors: 2, queued: 0 });
      expect(jobBeats().get('indexer')).toMatchObject({ stopped: false });
    } finally {
      await worker.stop();
    }
    expect(jobBeats().get('indexer')).toMatchObject({ stopped: true });
  });

  it('a failing endpoint leaves the jobs queued with backoff and an error that never carries the key', async () => {
    const t = await setup(fake.config({ apiKey: 'sk-never-logged' }));
    await t.post('NULL spike from the mobile release');
    fake.mode = 'error';
    const lines: string[] = [];
    // One claim per kind: the record's lexical job (indexed) and its embed job (failed).
    expect(await t.indexer(undefined, { log: (l) => lines.push(l) }).runOnce()).toBe(2);
    const [job, ...more] = await withWorkQueue(t.store.db).selectFrom('work_queue').selectAll().execute();
    expect(more).toEqual([]);
    expect(job).toMatchObject({ kind: 'embed', attempts: 1, last_error: 'the embeddings endpoint answered HTTP 503' });
    expect(lines.join('\n')).toMatch(/failed \(the embeddings endpoint answered HTTP 503\)/);
    expect(lines.join('\n')).not.toContain('sk-never');
    fake.mode = 'ok';
    await t.indexer().drain();
    expect(await t.counts()).toEqual({ vectors: 1, queued: 0 });
  });

  it('erasure and retention take the vectors and the queued jobs with the records', async () => {
    const t = await setup();
    await t.post('NULL spike from the mobile release', { raterId: 'rater_gone' });
    await t.indexer().drain();
    await t.post('Duplicate orders from retry logic', { raterId: 'rater_gone' }); // still queued
    const kept = await t.post('Missing EU data during CDN migration', { raterId: 'rater_kept' });
    expect(await t.counts()).toEqual({ vectors: 1, queued: 2 });
    await eraseRater(t.store.db, 'default', 'rater_gone');
    expect(await t.counts()).toEqual({ vectors: 0, queued: 1 });
    const left = await withWorkQueue(t.store.db).selectFrom('work_queue').select('ref').where('kind', '=', 'embed').execute();
    expect(left.map((r) => r.ref)).toEqual([kept.id]);
    await t.indexer().drain();
    expect(await t.counts()).toEqual({ vectors: 1, queued: 0 });
    await t.post('NULL spike from the mobile release', { raterId: 'rater_kept' }); // queued, then purged
    await purgeOlderThan(t.store.db, { before: new Date(Date.now() + 86_400_000) });
    expect(await t.counts()).toEqual({ vectors: 0, queued: 0 });
    expect((await t.search('missing values after the app update')).hits).toEqual([]);
  });
});

describe('the embeddings client', () => {
  it('batches, retries 5xx with backoff, and answers vectors of length 1 in input order', async () => {
    fake.failNext = 2;
    const vectors = await embedTexts(fake.config({ batchSize: 2 }), ['null spike', 'duplicate orders', 'slow'], { attempts: 3, retryBaseMs: 1 });
    expect(fake.requests.map((r) => r.input)).toEqual([['null spike', 'duplicate orders'], ['null spike', 'duplicate orders'], ['null spike', 'duplicate orders'], ['slow']]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(vectors[0]![0]).toBeGreaterThan(0); // "null": the absence concept
    expect(vectors[1]![0]).toBe(0);
    fake.failNext = 5;
    await expect(embedTexts(fake.config(), ['x'], { attempts: 2, retryBaseMs: 1 })).rejects.toThrow('the embeddings endpoint answered HTTP 503');
    fake.failNext = 0;
  });
});

describe('reciprocal rank fusion', () => {
  it('adds 1/(60 + rank) from every list that holds a hit', () => {
    const fused = reciprocalRankFusion([
      [{ key: 'a', hit: 'A' }, { key: 'b', hit: 'B' }],
      [{ key: 'b', hit: 'B2' }, { key: 'c', hit: 'C' }],
    ]);
    const by = new Map(fused.map((f) => [f.key, f]));
    expect(by.get('a')).toMatchObject({ hit: 'A', rrf: 1 / 61, ranks: [1, undefined] });
    expect(by.get('b')).toMatchObject({ hit: 'B', rrf: 1 / 62 + 1 / 61, ranks: [2, 1] });
    expect(by.get('c')).toMatchObject({ hit: 'C', rrf: 1 / 62, ranks: [undefined, 2] });
  });
});
