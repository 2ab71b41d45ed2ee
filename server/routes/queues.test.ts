/**
 * Review queues through the API (issue 16, item 1): made from registered items or a filter, claimed
 * under leases with overlap, reviewed with ordinary feedback carrying queueId, complete when every
 * item has its reviews; scoped to the workspace and to the raters who may review.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { resetClock, setClock } from '../lib/clock.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
afterEach(async () => {
  resetClock();
  for (const t of apps.splice(0)) await t.store.close();
});

const T0 = Date.parse('2026-03-01T10:00:00Z');

async function setup(items = 4) {
  const t = await createTestApp();
  apps.push(t);
  setClock(T0);
  const analyst = (await t.token('analyst', { workspaceId: 'default', raterId: 'ana' })).token;
  const raters: Record<string, string> = {};
  for (const r of ['r1', 'r2', 'r3']) raters[r] = (await t.token('rater', { workspaceId: 'default', raterId: r })).token;
  const outsider = (await t.token('analyst', { workspaceId: 'elsewhere', raterId: 'x' })).token;
  if (!items) return { t, analyst, raters, outsider };
  const res = await t.call(analyst, 'POST', '/v1/items', {
    items: Array.from({ length: items }, (_, i) => ({
      key: `err-${i}`,
      kind: 'error_analysis',
      model: 'qwen',
      output: `analysis ${i}`,
      prediction: { category: 'timeout', confidence: 0.8 },
    })),
  });
  expect(res.status).toBe(200);
  return { t, analyst, raters, outsider };
}

async function makeQueue(t: TestApp, token: string, body: Record<string, unknown>) {
  const res = await t.call(token, 'POST', '/v1/queues', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; progress: Record<string, unknown>; perAssignee: unknown[] };
}

async function claim(t: TestApp, token: string, id: string) {
  const res = await t.call(token, 'POST', `/v1/queues/${id}/claims`);
  if (res.status === 204) return null;
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { item: { targetKey: string; target: Record<string, unknown>; prediction?: unknown; blinded?: true }; leaseExpiresAt: string; criteria: string[] };
}

function review(queueId: string, targetKey: string, overrides: Record<string, unknown> = {}) {
  const at = new Date(T0).toISOString();
  return makeFeedback({ target: { kind: 'error_analysis', key: targetKey }, rating: { thumb: 'up' }, queueId, createdAt: at, updatedAt: at, ...overrides });
}

async function submit(t: TestApp, token: string, body: unknown) {
  return t.call(token, 'POST', '/v1/feedback', body);
}

describe('POST /v1/queues', () => {
  it('makes a queue from registered items, in the order given, and refuses unknown keys, fields and filters by name', async () => {
    const { t, analyst, raters } = await setup();
    const q = await makeQueue(t, analyst, { name: 'errors', itemKeys: ['err-2', 'err-0', 'err-2'] });
    expect(q).toMatchObject({ name: 'errors', reviewersPerItem: 1, blind: false, criteria: ['overall'], assignees: null, leaseSeconds: 600 });
    expect(q.progress).toEqual({ items: 2, itemsComplete: 0, reviewsNeeded: 2, reviewsDone: 0, complete: false });
    const first = await claim(t, raters.r1!, q.id);
    expect(first!.item).toMatchObject({ targetKey: 'item:err-2', position: 0, prediction: { category: 'timeout' }, target: { kind: 'error_analysis', key: 'item:err-2', output: 'analysis 2' } });

    const unknown = await t.call(analyst, 'POST', '/v1/queues', { name: 'x', itemKeys: ['err-1', 'nope', 'gone'] });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_items', details: { keys: ['nope', 'gone'] } } });

    const field = await t.call(analyst, 'POST', '/v1/queues', { name: 'x', itemKeys: ['err-1'], overlap: 2 });
    expect(field.status).toBe(422);
    expect(await field.json()).toMatchObject({ error: { code: 'unknown_field', details: { unknown: ['overlap'] } } });

    const filter = await t.call(analyst, 'POST', '/v1/queues', { name: 'x', filter: { model: 'gpt-5', modle: 'x' } });
    expect(filter.status).toBe(422);
    const body = await filter.json();
    expect(body.error).toMatchObject({ code: 'unknown_field', details: { unknown: ['modle'], path: 'filter' } });
    expect(body.error.details.accepted).toEqual(expect.arrayContaining(['model', 'thumb', 'since', 'queue', 'days']));

    const both = await t.call(analyst, 'POST', '/v1/queues', { name: 'x', itemKeys: ['err-1'], filter: { model: 'qwen' } });
    expect(both.status).toBe(422);
    const neither = await t.call(analyst, 'POST', '/v1/queues', { name: 'x' });
    expect(neither.status).toBe(422);
    const rater = await t.call(raters.r1!, 'POST', '/v1/queues', { name: 'x', itemKeys: ['err-1'] });
    expect(rater.status).toBe(403);
    const assignees = await t.call(analyst, 'POST', '/v1/queues', { name: 'x', itemKeys: ['err-1'], assignees: ['r1', 'ghost'] });
    expect(assignees.status).toBe(422);
    expect(await assignees.json()).toMatchObject({ error: { code: 'unknown_raters', details: { raterIds: ['ghost'] } } });
  });

  it('makes a queue from a filter: the distinct targets of the live feedback matching it, with the latest record as snapshot; none is empty_queue', async () => {
    const { t, analyst, raters } = await setup(0);
    const at = (m: number) => new Date(T0 - 3_600_000 + m * 60_000).toISOString();
    const base = { kind: 'chat_response', site: 'chatgpt', model: 'gpt-5' };
    const posts = [
      makeFeedback({ target: { ...base, key: 'c:a', output: 'old a' }, rating: { thumb: 'down' }, createdAt: at(1), updatedAt: at(1) }),
      makeFeedback({ target: { ...base, key: 'c:b', output: 'b' }, rating: { thumb: 'down' }, createdAt: at(2), updatedAt: at(2) }),
      makeFeedback({ target: { ...base, key: 'c:a', output: 'new a' }, rating: { thumb: 'down' }, createdAt: at(3), updatedAt: at(3), criterion: 'accuracy' }),
      makeFeedback({ target: { ...base, key: 'c:c', output: 'c' }, rating: { thumb: 'up' }, createdAt: at(4), updatedAt: at(4) }),
      makeFeedback({ target: { ...base, key: 'c:d', model: 'claude', output: 'd' }, rating: { thumb: 'down' }, createdAt: at(5), updatedAt: at(5) }),
    ];
    for (const [i, f] of posts.entries()) expect((await submit(t, i % 2 ? raters.r2! : raters.r1!, f)).status).toBe(201);
    const q = await makeQueue(t, analyst, { name: 'gpt-5 down this week', filter: { model: 'gpt-5', site: 'chatgpt', thumb: 'down', days: 7 }, reviewersPerItem: 1 });
    expect(q.progress).toMatchObject({ items: 2 });
    expect(q).toMatchObject({ filter: { model: 'gpt-5', site: 'chatgpt', thumb: 'down', days: 7 } });
    const c1 = await claim(t, raters.r3!, q.id);
    expect(c1!.item).toMatchObject({ targetKey: 'c:a', itemId: null, target: { output: 'new a' } });
    expect(c1!.item.prediction).toBeUndefined();

    const empty = await t.call(analyst, 'POST', '/v1/queues', { name: 'x', filter: { model: 'nothing-like-it' } });
    expect(empty.status).toBe(422);
    expect((await empty.json()).error.code).toBe('empty_queue');
  });
});

describe('claims and reviews', () => {
  it('overlap 2 with three raters gives each item exactly two reviews and no rater an item twice; then 204 and complete', async () => {
    const { t, analyst, raters } = await setup(5);
    const q = await makeQueue(t, analyst, { name: 'overlap', itemKeys: ['err-0', 'err-1', 'err-2', 'err-3', 'err-4'], reviewersPerItem: 2, criteria: ['overall', 'accuracy'] });
    const seen = new Map<string, string[]>(); // targetKey → raters
    const byRater = new Map<string, Set<string>>();
    let open = new Set(Object.keys(raters));
    while (open.size) {
      for (const r of [...open]) {
        const c = await claim(t, raters[r]!, q.id);
        if (!c) {
          open.delete(r);
          continue;
        }
        expect(c.criteria).toEqual(['overall', 'accuracy']);
        const mine = byRater.get(r) ?? new Set();
        expect(mine.has(c.item.targetKey)).toBe(false);
        mine.add(c.item.targetKey);
        byRater.set(r, mine);
        seen.set(c.item.targetKey, [...(seen.get(c.item.targetKey) ?? []), r]);
        // A claim asked again gives the same item until it is submitted.
        expect((await claim(t, raters[r]!, q.id))!.item.targetKey).toBe(c.item.targetKey);
        // One criterion alone does not submit the review.
        expect((await submit(t, raters[r]!, review(q.id, c.item.targetKey))).status).toBe(201);
        expect((await claim(t, raters[r]!, q.id))!.item.targetKey).toBe(c.item.targetKey);
        expect((await submit(t, raters[r]!, review(q.id, c.item.targetKey, { criterion: 'accuracy', rating: { stars: 4 } }))).status).toBe(201);
      }
    }
    expect(seen.size).toBe(5);
    for (const [, rs] of seen) {
      expect(rs).toHaveLength(2);
      expect(new Set(rs).size).toBe(2);
    }
    const done = await (await t.call(analyst, 'GET', `/v1/queues/${q.id}`)).json();
    expect(done.progress).toEqual({ items: 5, itemsComplete: 5, reviewsNeeded: 10, reviewsDone: 10, complete: true });
    expect(done.completedAt).toBe(new Date(T0).toISOString());
    expect(done.perAssignee.reduce((a: number, p: { done: number }) => a + p.done, 0)).toBe(10);
    for (const r of Object.keys(raters)) expect((await t.call(raters[r]!, 'POST', `/v1/queues/${q.id}/claims`)).status).toBe(204);
  });

  it('an expired lease returns the item to the pool; the rater who let it lapse gets it again only while it is still needed', async () => {
    const { t, analyst, raters } = await setup(1);
    const q = await makeQueue(t, analyst, { name: 'lease', itemKeys: ['err-0'], leaseSeconds: 60 });
    const a = await claim(t, raters.r1!, q.id);
    expect(a!.leaseExpiresAt).toBe(new Date(T0 + 60_000).toISOString());
    expect(await claim(t, raters.r2!, q.id)).toBeNull(); // held by r1
    let progress = await (await t.call(analyst, 'GET', `/v1/queues/${q.id}`)).json();
    expect(progress.perAssignee).toEqual([{ raterId: 'r1', done: 0, claimed: 1 }]);
    setClock(T0 + 60_000); // the lease ends at this instant
    const b = await claim(t, raters.r2!, q.id);
    expect(b!.item.targetKey).toBe('item:err-0');
    expect(b!.leaseExpiresAt).toBe(new Date(T0 + 120_000).toISOString());
    expect(await claim(t, raters.r1!, q.id)).toBeNull(); // r2 holds the only slot now
    progress = await (await t.call(analyst, 'GET', `/v1/queues/${q.id}`)).json();
    expect(progress.perAssignee).toEqual([{ raterId: 'r1', done: 0, claimed: 0 }, { raterId: 'r2', done: 0, claimed: 1 }]);
    setClock(T0 + 200_000);
    const again = await claim(t, raters.r1!, q.id); // r2 let it lapse too: r1 may take it back
    expect(again!.item.targetKey).toBe('item:err-0');
  });

  it('a review of an item not in the queue, on another criterion, of an unknown queue or by a non-assignee is rejected', async () => {
    const { t, analyst, raters } = await setup(2);
    const q = await makeQueue(t, analyst, { name: 'strict', itemKeys: ['err-0'], assignees: ['r1', 'r2'] });
    const notItem = await submit(t, raters.r1!, review(q.id, 'item:err-1'));
    expect(notItem.status).toBe(422);
    expect((await notItem.json()).error).toMatchObject({ code: 'not_in_queue' });
    const criterion = await submit(t, raters.r1!, review(q.id, 'item:err-0', { criterion: 'style' }));
    expect((await criterion.json()).error.code).toBe('not_in_queue');
    const stranger = await submit(t, raters.r3!, review(q.id, 'item:err-0'));
    expect((await stranger.json()).error).toMatchObject({ code: 'not_in_queue' });
    const nowhere = await submit(t, raters.r1!, review('no-such-queue', 'item:err-0'));
    expect((await nowhere.json()).error.code).toBe('queue_not_found');
    // Through sync: the one mutation is rejected with its reason, the rest apply.
    const ok = review(q.id, 'item:err-0');
    const bad = review(q.id, 'item:err-1');
    const sync = await t.call(raters.r2!, 'POST', '/v1/sync', {
      clientId: 'c1',
      mutations: [ok, bad].map((f) => ({ id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f })),
    });
    const results = (await sync.json()).results;
    expect(results.map((r: { status: string; reason?: string }) => [r.status, r.reason])).toEqual([['applied', undefined], ['rejected', 'not_in_queue']]);
    // r2 reviewed without claiming: counted, and the queue (one reviewer per item) is complete.
    const done = await (await t.call(analyst, 'GET', `/v1/queues/${q.id}`)).json();
    expect(done.progress.complete).toBe(true);
    expect(done.perAssignee).toEqual([{ raterId: 'r1', done: 0, claimed: 0 }, { raterId: 'r2', done: 1, claimed: 0 }]);
    // A review taken back (deleted) opens the queue again.
    expect((await t.call(raters.r2!, 'DELETE', `/v1/feedback/${ok.id}`)).status).toBeLessThan(300);
    const reopened = await (await t.call(analyst, 'GET', `/v1/queues/${q.id}`)).json();
    expect(reopened.progress).toMatchObject({ complete: false, reviewsDone: 0 });
    expect(reopened.completedAt).toBeNull();
  });

  it('scopes queues: a rater lists and sees only the queues they may review, another workspace’s queue is 404; blind hides the prediction', async () => {
    const { t, analyst, raters, outsider } = await setup(2);
    const mine = await makeQueue(t, analyst, { name: 'for r1', itemKeys: ['err-0', 'err-1'], assignees: ['r1'], blind: true });
    setClock(T0 + 1000); // newest first
    const open = await makeQueue(t, analyst, { name: 'open', itemKeys: ['err-1'] });
    const r1 = await (await t.call(raters.r1!, 'GET', '/v1/queues')).json();
    expect(r1.items.map((q: { name: string; toReview: number }) => [q.name, q.toReview])).toEqual([['open', 1], ['for r1', 2]]);
    const r2 = await (await t.call(raters.r2!, 'GET', '/v1/queues')).json();
    expect(r2.items.map((q: { name: string }) => q.name)).toEqual(['open']);
    expect((await t.call(raters.r2!, 'GET', `/v1/queues/${mine.id}`)).status).toBe(404);
    expect((await t.call(raters.r2!, 'POST', `/v1/queues/${mine.id}/claims`)).status).toBe(404);
    expect((await t.call(analyst, 'POST', `/v1/queues/${mine.id}/claims`)).status).toBe(403);
    expect((await t.call(outsider, 'GET', `/v1/queues/${mine.id}`)).status).toBe(404);
    expect((await t.call(outsider, 'GET', `/v1/queues/${open.id}/next`)).status).toBe(404);
    expect((await (await t.call(outsider, 'GET', '/v1/queues')).json()).items).toEqual([]);
    expect((await t.call(analyst, 'GET', '/v1/queues?state=open')).status).toBe(400);
    const all = await (await t.call(analyst, 'GET', '/v1/queues?status=open&limit=1')).json();
    expect(all.items).toHaveLength(1);
    expect(all.nextCursor).not.toBeNull();

    const blind = await t.call(raters.r1!, 'GET', `/v1/queues/${mine.id}/next`);
    expect(blind.status).toBe(200);
    const item = (await blind.json()).item;
    expect(item).toMatchObject({ targetKey: 'item:err-0', blinded: true });
    expect(item.prediction).toBeUndefined();
    const seen = await (await t.call(raters.r1!, 'GET', `/v1/queues/${mine.id}`)).json();
    expect(seen.perAssignee).toEqual([{ raterId: 'r1', done: 0, claimed: 1 }]);
    expect(seen.toReview).toBe(2);
  });

  it('20 raters claiming at once never get one slot twice', async () => {
    const t = await createTestApp();
    apps.push(t);
    const analyst = (await t.token('analyst', { raterId: 'ana' })).token;
    await t.call(analyst, 'POST', '/v1/items', { items: Array.from({ length: 15 }, (_, i) => ({ key: `k${i}`, kind: 'task', output: `o${i}` })) });
    const q = await makeQueue(t, analyst, { name: 'rush', itemKeys: Array.from({ length: 15 }, (_, i) => `k${i}`), reviewersPerItem: 2 });
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => t.token('rater', { raterId: `p${i}` }).then((x) => x.token)));
    const got = await Promise.all(tokens.map((tok) => Promise.resolve(t.call(tok, 'POST', `/v1/queues/${q.id}/claims`)).then(async (r: Response) => (r.status === 200 ? (await r.json()).item.targetKey : null))));
    const counts = new Map<string, number>();
    for (const k of got) if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect(got.filter(Boolean)).toHaveLength(20); // 30 slots, 20 raters: everyone gets one
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    // 10 slots left; 20 more claims by new raters: exactly 10 succeed.
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => t.token('rater', { raterId: `s${i}` }).then((x) => x.token)));
    const second = await Promise.all(more.map((tok) => Promise.resolve(t.call(tok, 'POST', `/v1/queues/${q.id}/claims`)).then(async (r: Response) => (r.status === 200 ? (await r.json()).item.targetKey : null))));
    for (const k of second) if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect(second.filter(Boolean)).toHaveLength(10);
    expect([...counts.values()]).toEqual(Array(15).fill(2));
  });
});
