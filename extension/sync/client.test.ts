/** The sync client against the real server app (real SQLite, app.request) and a real closed port. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import type { Feedback, Target } from '../../shared/schemas.ts';
import { testOutbox } from '../outbox/test-db.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { syncOnce, type SyncDeps } from './client.ts';
import type { Fetch } from './http.ts';
import { VisitQueue } from '../outbox/visits.ts';
import type { SiteVisit } from '../../shared/site-health.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const SERVER = 'http://127.0.0.1:8787';

const target = (key: string, extra: Partial<Target> = {}): Target => ({
  kind: 'chat_response',
  key,
  site: 'chatgpt',
  conversationId: 'conv-1',
  model: 'gpt-5',
  prompt: 'What is 2+2?',
  output: '4',
  ...extra,
});

let t: TestApp;
let token: string;
let outbox: Outbox;
let calls: string[];

/** fetch that goes to the real app in memory, recording each call. */
const appFetch = (): Fetch => async (url, init) => {
  calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
  return t.app.request(url, init);
};

function deps(extra: Partial<SyncDeps> = {}): SyncDeps {
  return { outbox, fetch: appFetch(), getServer: async () => ({ serverUrl: SERVER, token }), ...extra };
}

/** What the server holds for this rater, read through the API. */
async function serverRecords(): Promise<Feedback[]> {
  const res = await t.call(token, 'GET', '/v1/feedback?limit=500');
  expect(res.status).toBe(200);
  return (await res.json()).items;
}

beforeEach(async () => {
  t = await createTestApp();
  token = (await t.token('rater', { name: 'alice' })).token;
  outbox = testOutbox();
  calls = [];
});
afterEach(async () => {
  await t.store.close();
});

describe('syncOnce', () => {
  it('keeps ratings pending while the server is unreachable, then syncs them all', async () => {
    await outbox.save({ target: target('k1'), rating: { thumb: 'down' }, correction: { output: '4, exactly' } });
    await outbox.save({ target: target('k2'), rating: { stars: 5 } });
    // A real refused connection: nothing listens on port 1.
    const offline = await syncOnce({ ...deps(), fetch: (url, init) => fetch(url, init), getServer: async () => ({ serverUrl: 'http://127.0.0.1:1', token }) });
    expect(offline.ok).toBe(false);
    expect(offline.failure).toMatchObject({ kind: 'unreachable' });
    expect(offline.failure!.message).toMatch(/Cannot reach the server at http:\/\/127\.0\.0\.1:1/);
    expect(await outbox.counts()).toEqual({ pending: 2, synced: 0, rejected: 0 });

    let saved: unknown;
    const online = await syncOnce(deps({ saveRemoteConfig: async (c) => void (saved = c) }));
    expect(online).toMatchObject({ ok: true, sent: 2, synced: 2, rejected: 0, configFetched: true });
    expect(online.changed.map((s) => s.state)).toEqual(['synced', 'synced']);
    expect(await outbox.counts()).toEqual({ pending: 0, synced: 2, rejected: 0 });
    expect(saved).toMatchObject({ config: { rules: [], disabledAdapters: [] }, caller: { role: 'rater', name: 'alice' } });

    const records = await serverRecords();
    expect(records).toHaveLength(2);
    const k1 = records.find((r) => r.target.key === 'k1')!;
    expect(k1).toMatchObject({ rating: { thumb: 'down' }, correction: { output: '4, exactly' }, target: { model: 'gpt-5', prompt: 'What is 2+2?', conversationId: 'conv-1' } });
    expect(k1.clientId).toBe(await outbox.clientId());
    expect(calls).toEqual(['POST /v1/sync', 'GET /v1/extension-config']);
  });

  it('sends 1,200 ratings in batches of at most 500; the server holds 1,200', async () => {
    await outbox.db.transaction('rw', outbox.db.ratings, async () => {
      for (let i = 0; i < 1200; i++) await outbox.save({ target: target(`k${i}`), rating: { thumb: i % 2 ? 'up' : 'down' } });
    });
    const report = await syncOnce(deps(), { fetchConfig: false });
    expect(report).toMatchObject({ ok: true, sent: 1200, synced: 1200 });
    expect(calls).toEqual(['POST /v1/sync', 'POST /v1/sync', 'POST /v1/sync']);
    const count = await t.store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1200);
  });

  it('a re-vote and a replay leave one record; an undo deletes it on the server', async () => {
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    await syncOnce(deps(), { fetchConfig: false });
    await outbox.save({ target: target('k1'), rating: { thumb: 'down' } });
    await syncOnce(deps(), { fetchConfig: false });
    let records = await serverRecords();
    expect(records).toHaveLength(1);
    expect(records[0]!.rating).toEqual({ thumb: 'down' });

    await outbox.undo('k1');
    const undone = await syncOnce(deps(), { fetchConfig: false });
    expect(undone.changed).toEqual([{ key: 'k1', state: 'none' }]);
    records = await serverRecords();
    expect(records).toHaveLength(0);
    expect(await outbox.counts()).toEqual({ pending: 0, synced: 0, rejected: 0 });
  });

  it('a rejected mutation keeps the reason and is never sent again; the rest of the batch applies', async () => {
    // Another rater already owns this id on the server.
    const other = (await t.token('rater', { name: 'bob' })).token;
    const taken = await outbox.save({ target: target('k-taken'), rating: { thumb: 'up' } });
    const res = await t.call(other, 'POST', '/v1/sync', {
      clientId: 'bob-laptop',
      mutations: [{ id: taken.feedbackId, op: 'upsert', updatedAt: taken.updatedAt, feedback: { ...taken.feedback, target: target('bob-key') } }],
    });
    expect((await res.json()).results[0].status).toBe('applied');
    await outbox.save({ target: target('k-fine'), rating: { thumb: 'up' } });

    const report = await syncOnce(deps(), { fetchConfig: false });
    expect(report).toMatchObject({ ok: true, sent: 2, synced: 1, rejected: 1 });
    expect((await outbox.statuses(['k-taken']))[0]).toMatchObject({ state: 'rejected', error: 'this record belongs to another rater' });

    calls = [];
    const again = await syncOnce(deps(), { fetchConfig: false });
    expect(again).toMatchObject({ ok: true, sent: 0 });
    expect(calls).toEqual([]);
  });

  it('says in words what is wrong: bad token, no token, no permission, not a Groundtruth server', async () => {
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const bad = await syncOnce(deps({ getServer: async () => ({ serverUrl: SERVER, token: 'gt_nope' }) }));
    expect(bad.failure).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(bad.failure!.message).toMatch(/does not accept this token/);

    const none = await syncOnce(deps({ getServer: async () => ({ serverUrl: SERVER, token: '' }) }));
    expect(none.failure!.kind).toBe('not-configured');

    const denied = await syncOnce(deps({ hasPermission: async () => false }));
    expect(denied.failure!.kind).toBe('no-permission');

    const html: Fetch = async () => new Response('<html>hello</html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    const wrong = await syncOnce(deps({ fetch: html }));
    expect(wrong.failure!.kind).toBe('not-groundtruth');
    const notFound: Fetch = async () => new Response('nope', { status: 404 });
    expect((await syncOnce(deps({ fetch: notFound }))).failure!.kind).toBe('not-groundtruth');
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 0, rejected: 0 });
  });

  it('reports 429 with its Retry-After and 5xx as retryable failures, changing nothing', async () => {
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const busy: Fetch = async () => Response.json({ error: { code: 'rate_limited', message: 'slow down' } }, { status: 429, headers: { 'Retry-After': '12' } });
    const r429 = await syncOnce(deps({ fetch: busy }));
    expect(r429.failure).toMatchObject({ kind: 'rate-limited', retryAfterMs: 12_000 });
    const down: Fetch = async () => new Response('bad gateway', { status: 502 });
    expect((await syncOnce(deps({ fetch: down }))).failure).toMatchObject({ kind: 'server-error', status: 502 });
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 0, rejected: 0 });
  });

  it('halves the batch when a proxy answers 413', async () => {
    for (let i = 0; i < 10; i++) await outbox.save({ target: target(`k${i}`), rating: { thumb: 'up' } });
    const small: Fetch = async (url, init) => {
      const n = (JSON.parse(String(init!.body)).mutations as unknown[]).length;
      if (n > 3) return new Response('too large', { status: 413 });
      return appFetch()(url, init);
    };
    const report = await syncOnce(deps({ fetch: small }), { fetchConfig: false });
    expect(report).toMatchObject({ ok: true, synced: 10 });
    expect((await serverRecords()).length).toBe(10);
  });

  it('health visits ride with the first request, or alone when nothing else waits; stored ones are dropped', async () => {
    const visits = new VisitQueue(outbox.db);
    const visit = (n: number): SiteVisit => ({
      at: new Date(Date.UTC(2026, 10, 30, 10, n)).toISOString(),
      site: 'chatgpt.com', adapter: 'chatgpt', layout: '2026-09', fallback: false,
      answers: n, userTurns: n, prompt: true, model: false, conversationId: true,
    });
    await visits.add(visit(1));
    await visits.add(visit(2));
    const bodies: any[] = [];
    const recording: Fetch = async (url, init) => {
      if (init?.body) bodies.push(JSON.parse(String(init.body)));
      return appFetch()(url, init);
    };
    // Nothing to sync but visits: one request with no mutations.
    const alone = await syncOnce(deps({ fetch: recording, visits }), { fetchConfig: false });
    expect(alone.ok).toBe(true);
    expect(bodies).toEqual([{ clientId: await outbox.clientId(), mutations: [], health: [visit(1), visit(2)] }]);
    expect(await visits.size()).toBe(0);

    // With a rating waiting: in the same request as its batch.
    await visits.add(visit(3));
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    bodies.length = 0;
    await syncOnce(deps({ fetch: recording, visits }), { fetchConfig: false });
    expect(bodies).toHaveLength(1);
    expect(bodies[0].mutations).toHaveLength(1);
    expect(bodies[0].health).toEqual([visit(3)]);
    expect(await visits.size()).toBe(0);

    // The server away: the visits wait.
    await visits.add(visit(4));
    const down: Fetch = async () => new Response('bad gateway', { status: 502 });
    expect((await syncOnce(deps({ fetch: down, visits }), { fetchConfig: false })).ok).toBe(false);
    expect(await visits.peek()).toEqual([visit(4)]);
  });

  it('a sync answer naming another config version fetches the config, even when not asked to', async () => {
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const admin = (await t.token('admin', { name: 'root' })).token;
    const put = await t.call(admin, 'PUT', '/v1/extension-config', { disabledAdapters: ['gemini'] });
    expect(put.status).toBe(200);
    const version = (await put.json()).version as number;
    expect(version).toBeGreaterThan(0);

    let saved: any;
    const report = await syncOnce(deps({ configVersion: async () => 0, saveRemoteConfig: async (c) => void (saved = c) }), { fetchConfig: false });
    expect(report.configFetched).toBe(true);
    expect(saved).toMatchObject({ version, config: { disabledAdapters: ['gemini'] } });

    calls = [];
    await outbox.save({ target: target('k2'), rating: { thumb: 'up' } });
    const same = await syncOnce(deps({ configVersion: async () => version }), { fetchConfig: false });
    expect(same.configFetched).toBe(false);
    expect(calls).toEqual(['POST /v1/sync']);
  });
});
