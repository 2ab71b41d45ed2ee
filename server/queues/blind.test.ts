/**
 * Blind review (issue 16, item 2), through the real routes: in a blind queue over registered items
 * with predictions and a judge's rating, a rater sees no prediction and no judge score on any route
 * until they submit their review there (their claim's submitted_at), then sees them; an analyst
 * always does; a non-blind queue hides nothing, nor does a blind queue from a rater it is not for,
 * nor a completed one. Claims are written directly here, as the queues projection would.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { FEEDBACK_FILTERS } from '../../shared/feedback-fields.ts';
import { reviewItemPages } from '../dashboard/review-item.tsx';
import type { DashEnv } from '../dashboard/env.ts';
import { withQueueTables } from '../store/queue-tables.ts';
import { findActiveToken } from '../store/tokens.ts';
import { blindTargets, mayReview } from './blind.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
const tok: Record<string, string> = {};
const ids: Record<string, string> = {};
let judgeId = '';
let ownJudgeId = '';
const WS = 'default';
const AT = '2026-03-01T10:00:00.000Z';

const prediction = (category: string, key: string) => ({ category, severity: 'high', confidence: 0.9, reasoning: `reasoned about ${key}` });

async function json(res: Response) {
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}
const get = async (who: string, path: string) => json(await t.call(tok[who]!, 'GET', path));

async function makeQueue(id: string, opts: { blind: boolean; keys: string[]; assignees?: string[] | null }) {
  const q = withQueueTables(t.store.db);
  await q
    .insertInto('queues')
    .values({
      id, workspace_id: WS, name: id, filter: null, item_keys: JSON.stringify(opts.keys), reviewers_per_item: 2, blind: opts.blind ? 1 : 0,
      criteria: '["overall"]', assignees: opts.assignees === undefined || opts.assignees === null ? null : JSON.stringify(opts.assignees),
      due_at: null, lease_seconds: 600, created_by: 'analyst', created_at: AT, completed_at: null,
    })
    .execute();
  await q
    .insertInto('queue_items')
    .values(opts.keys.map((k, position) => ({ queue_id: id, workspace_id: WS, position, target_key: `item:${k}`, item_id: ids[k]!, target: '{}', reviews: 0 })))
    .execute();
}

/** The rater's claim, submitted or not (what POST …/claims and the review's projection write). */
async function claim(queueId: string, key: string, raterId: string, submitted: boolean) {
  const q = withQueueTables(t.store.db);
  const row = { queue_id: queueId, workspace_id: WS, target_key: `item:${key}`, rater_id: raterId, claimed_at: AT, lease_expires_at: AT, submitted_at: submitted ? AT : null };
  await q.insertInto('queue_claims').values(row).onConflict((oc) => oc.columns(['queue_id', 'target_key', 'rater_id']).doUpdateSet({ submitted_at: row.submitted_at })).execute();
}

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role, raterId] of [
    ['analyst', 'analyst', 'ana'], ['admin', 'admin', 'judge-program'], ['pipeline', 'rater', 'pipeline'],
    ['alice', 'rater', 'alice'], ['bob', 'rater', 'bob'], ['carol', 'rater', 'carol'],
  ] as const) {
    tok[name] = (await t.token(role, { raterId, name })).token;
  }
  const res = await t.call(tok.pipeline!, 'POST', '/v1/items', {
    items: ['b1', 'b2', 'open1', 'done1'].map((key, i) => ({
      key, kind: 'error_analysis', subject: 'daily_sales', model: 'dagnostics-7b', output: `analysis of ${key}`,
      prediction: prediction(i % 2 ? 'timeout_error' : 'data_quality', key), createdAt: `2026-03-01T0${i}:00:00Z`,
    })),
  });
  for (const r of (await json(res)).results as { key: string; id: string }[]) ids[r.key] = r.id;
  // Alice and Bob review blind queue `blind` (b1, b2); `open` is not blind; `done` was blind and is complete.
  // The judge program posts into the queue too, so it is named (a write with queueId must come from one who may review there).
  await makeQueue('blind', { blind: true, keys: ['b1', 'b2'], assignees: ['alice', 'bob', 'judge-program'] });
  await makeQueue('open', { blind: false, keys: ['open1'], assignees: null });
  await makeQueue('done', { blind: true, keys: ['done1'], assignees: null });
  await withQueueTables(t.store.db).updateTable('queues').set({ completed_at: AT }).where('id', '=', 'done').execute();
  // A judge's score on b1, posted by the program's own (admin) token; a model rating Alice's own token posted on b2.
  const judge = await t.call(tok.admin!, 'POST', '/v1/feedback', {
    id: '01900000-0000-7000-8000-00000000a001',
    target: {
      kind: 'error_analysis', key: 'item:b1', site: 'dagnostics', subject: 'daily_sales', model: 'dagnostics-7b', intent: 'triage', project: 'ops',
      conversationId: 'conv-b1', output: 'analysis of b1',
    },
    rating: { thumb: 'down', stars: 2, label: 'wrong' }, criterion: 'overall', source: { type: 'model', name: 'gpt-judge' }, queueId: 'blind',
    correction: { output: 'the judge says otherwise' }, createdAt: AT, updatedAt: AT,
  });
  expect(judge.status, await judge.clone().text()).toBe(201);
  judgeId = (await judge.json()).feedback.id;
  const own = await t.call(tok.alice!, 'POST', '/v1/feedback', {
    id: '01900000-0000-7000-8000-00000000a002',
    target: { kind: 'error_analysis', key: 'item:b2' }, rating: { thumb: 'down' }, source: { type: 'model', name: 'alice-script' }, createdAt: AT, updatedAt: AT,
  });
  expect(own.status, await own.clone().text()).toBe(201);
  ownJudgeId = (await own.json()).feedback.id;
});
afterAll(async () => {
  await t?.store.close();
});

/** The item routes' view of every item for `who`: key → prediction (undefined when withheld) and the blinded mark. */
async function itemsSeenBy(who: string) {
  const page = await get(who, '/v1/items?limit=50');
  const list = new Map<string, { prediction?: unknown; blinded?: boolean }>(page.items.map((i: { key: string }) => [i.key, i]));
  const one = new Map<string, { prediction?: unknown; blinded?: boolean }>();
  for (const key of Object.keys(ids)) one.set(key, await get(who, `/v1/items/${ids[key]}`));
  return { list, one };
}

function expectShown(seen: Awaited<ReturnType<typeof itemsSeenBy>>, key: string) {
  for (const view of [seen.list, seen.one]) {
    expect(view.get(key)?.prediction, key).toMatchObject({ category: expect.any(String), confidence: 0.9 });
    expect(view.get(key)?.blinded, key).toBeUndefined();
  }
}
function expectHidden(seen: Awaited<ReturnType<typeof itemsSeenBy>>, key: string) {
  for (const view of [seen.list, seen.one]) {
    expect(view.get(key), key).toBeDefined();
    expect(view.get(key)?.prediction, key).toBeUndefined();
    expect(view.get(key)?.blinded, key).toBe(true);
  }
}

/** A minimal dashboard around the item page, signed in as `who`: the page takes the blind decision itself. */
async function itemPage(who: string, key: string, method: 'GET' | 'POST' = 'GET', form?: Record<string, string>) {
  const auth = (await findActiveToken(t.store.db, tok[who]!))!;
  const dash = new Hono<DashEnv>()
    .use('*', async (c, next) => {
      c.set('store', t.store);
      c.set('auth', auth);
      c.set('session', { id: 's', csrf: 'csrf', expiresAt: '2099-01-01T00:00:00Z' });
      await next();
    })
    .route('/dashboard', reviewItemPages);
  return dash.request(`/dashboard/review/items/${ids[key]}`, form ? { method, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : { method });
}

describe('blind review, before the rater submits', () => {
  it('GET /v1/items and /v1/items/:id withhold the prediction of the blind queue\'s items from its raters, marked blinded', async () => {
    for (const who of ['alice', 'bob']) {
      const seen = await itemsSeenBy(who);
      expectHidden(seen, 'b1');
      expectHidden(seen, 'b2');
      expectShown(seen, 'open1'); // a non-blind queue hides nothing
      expectShown(seen, 'done1'); // a completed blind queue hides nothing
      // The rest of the item is there: the rater reviews the output.
      expect((seen.one.get('b1') as { output?: string }).output).toBe('analysis of b1');
    }
  });

  it('an analyst and an admin always see the predictions', async () => {
    for (const who of ['analyst', 'admin']) for (const key of Object.keys(ids)) expectShown(await itemsSeenBy(who), key);
  });

  it('a rater the queue is not for (not an assignee) is not its reviewer: nothing is hidden from them', async () => {
    const seen = await itemsSeenBy('carol');
    for (const key of Object.keys(ids)) expectShown(seen, key);
  });

  it("a rater's filter on the predicted category leaves blind items out, whichever their category", async () => {
    for (const category of ['data_quality', 'timeout_error']) {
      const alice = (await get('alice', `/v1/items?category=${category}`)).items.map((i: { key: string }) => i.key);
      const analyst = (await get('analyst', `/v1/items?category=${category}`)).items.map((i: { key: string }) => i.key);
      expect(analyst.some((k: string) => k.startsWith('b'))).toBe(true);
      expect(alice).toEqual(analyst.filter((k: string) => !k.startsWith('b')));
    }
  });

  it("the judge's score never reaches a rater through any feedback read or any filter; one their own token posted is theirs", async () => {
    const analystList = await get('analyst', '/v1/feedback?sourceType=model');
    const judged = analystList.items.find((f: { id: string }) => f.id === judgeId);
    expect(judged).toMatchObject({ source: { type: 'model', name: 'gpt-judge' }, rating: { stars: 2 } });
    const aliceIds = async (query: string) => (await get('alice', `/v1/feedback?${query}`)).items.map((f: { id: string }) => f.id);
    expect(await aliceIds('')).toEqual([ownJudgeId]);
    // Every filter of the list, each given the judge row's own value: still not Alice's to read.
    const valueAt = (path: string | null) => path?.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], judged);
    for (const f of FEEDBACK_FILTERS) {
      const raw = f.param === 'hasCorrection' ? true : valueAt(f.path);
      expect(raw, f.param).not.toBeUndefined();
      const value = f.op === 'before' ? new Date(new Date(String(raw)).getTime() + 1000).toISOString() : String(raw);
      const q = new URLSearchParams({ [f.param]: value, includeDeleted: 'true' }).toString();
      expect((await get('analyst', `/v1/feedback?${q}`)).items.map((r: { id: string }) => r.id), f.param).toContain(judgeId);
      expect(await aliceIds(q), f.param).not.toContain(judgeId);
    }
    expect((await t.call(tok.alice!, 'GET', `/v1/feedback/${judgeId}`)).status).toBe(404);
    expect((await get('alice', `/v1/feedback/${ownJudgeId}`)).source).toMatchObject({ type: 'model', name: 'alice-script' });
    // The conversation drop-in read (its interactions: `conversation:` targets) is scoped the same way.
    const interaction = await t.call(tok.admin!, 'POST', '/v1/feedback', {
      id: '01900000-0000-7000-8000-00000000a003',
      target: { kind: 'chat_response', key: 'conversation:conv-j:1', conversationId: 'conv-j', output: 'an answer' },
      rating: { stars: 1 }, source: { type: 'model', name: 'gpt-judge' }, createdAt: AT, updatedAt: AT,
    });
    expect(interaction.status).toBe(201);
    expect((await get('analyst', '/api/v1/feedback/conv-j')).stats.total_count).toBe(1);
    expect((await get('alice', '/api/v1/feedback/conv-j')).stats.total_count).toBe(0);
  });

  it('no GET route of the API shows Alice a blind prediction or the judge\'s score (every operation of /openapi.json)', async () => {
    const doc = (await (await t.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const param: Record<string, string> = {
      '/v1/items/{id}': ids.b1!, '/v1/feedback/{id}': judgeId, '/v1/queues/{id}': 'blind', '/v1/subjects/{id}': 'daily_sales', '/v1/raters/{raterId}': 'alice',
    };
    const MARKERS = ['reasoned about b1', 'reasoned about b2', 'gpt-judge', 'the judge says otherwise'];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!('get' in ops)) continue;
      const prefix = Object.keys(param).find((p) => path.startsWith(p.replace(/\{.*$/, '')) && path.includes(p.slice(p.lastIndexOf('{'))));
      const url = path.replace(/\{[^}]+\}/g, (m) => (m === '{conversation_id}' ? 'conv-b1' : prefix ? param[prefix]! : 'x'));
      const body = await (await t.call(tok.alice!, 'GET', url)).text();
      for (const marker of MARKERS) expect(body, `GET ${url}`).not.toContain(marker);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    // The sweep can see them: the analyst's answers hold every marker.
    const analystSees = (await get('analyst', `/v1/items/${ids.b1}`)).prediction.reasoning + JSON.stringify(await get('analyst', `/v1/feedback/${judgeId}`));
    for (const marker of ['reasoned about b1', 'gpt-judge', 'the judge says otherwise']) expect(analystSees).toContain(marker);
  });

  it('search is for analysts and admins only: a rater gets 403, so its hits show them nothing', async () => {
    expect((await t.call(tok.alice!, 'GET', '/v1/search?q=analysis')).status).toBe(403);
    expect((await t.call(tok.analyst!, 'GET', '/v1/search?q=analysis')).status).toBe(200);
  });

  it('the dashboard item page shows a rater no prediction, says why, and saves their review without one', async () => {
    const page = await (await itemPage('alice', 'b1')).text();
    expect(page).toContain('data-gt="blinded"');
    expect(page).not.toContain('data-gt="prediction"');
    expect(page).not.toContain('reasoned about b1');
    expect(page).not.toMatch(/<option value="data_quality" selected/);
    expect(page).not.toContain('0.9');
    const analystPage = await (await itemPage('analyst', 'b1')).text();
    expect(analystPage).toContain('data-gt="prediction"');
    expect(analystPage).toContain('reasoned about b1');
    expect(analystPage).not.toContain('data-gt="blinded"');
    // Alice saves her own analysis of b2: the record is hers and carries no prediction.
    const saved = await itemPage('alice', 'b2', 'POST', { stars: '4', category: 'network_error', comment: 'mine' });
    expect(saved.status).toBe(303);
    const mine = (await get('alice', '/v1/feedback?conversationId=')).items.find((f: { target: { key: string }; id: string }) => f.target.key === 'item:b2' && f.id !== ownJudgeId);
    expect(mine).toMatchObject({ rating: { stars: 4 }, correction: { fields: { category: 'network_error' } } });
    expect(mine.target.context?.prediction).toBeUndefined();
    expect(JSON.stringify(mine)).not.toContain('timeout_error');
  });
});

describe('blind review, after the rater submits', () => {
  it('an unsubmitted claim (a lease) still hides; the submitted one shows, to that rater only', async () => {
    await claim('blind', 'b1', 'alice', false);
    expectHidden(await itemsSeenBy('alice'), 'b1');
    await claim('blind', 'b1', 'alice', true);
    const alice = await itemsSeenBy('alice');
    expectShown(alice, 'b1');
    expectHidden(alice, 'b2'); // not submitted yet
    expectHidden(await itemsSeenBy('bob'), 'b1'); // Bob has not submitted b1
    expect((await get('alice', '/v1/items?category=data_quality')).items.map((i: { key: string }) => i.key)).toContain('b1');
    const page = await (await itemPage('alice', 'b1')).text();
    expect(page).toContain('reasoned about b1');
    expect(page).not.toContain('data-gt="blinded"');
  });

  it('an item in two blind queues stays blind until submitted in both', async () => {
    await makeQueue('blind-2', { blind: true, keys: ['b1'], assignees: ['alice'] });
    expectHidden(await itemsSeenBy('alice'), 'b1');
    await claim('blind-2', 'b1', 'alice', true);
    expectShown(await itemsSeenBy('alice'), 'b1');
  });

  it('when the queue is complete everyone sees everything', async () => {
    await withQueueTables(t.store.db).updateTable('queues').set({ completed_at: AT }).where('id', '=', 'blind').execute();
    for (const who of ['alice', 'bob']) for (const key of Object.keys(ids)) expectShown(await itemsSeenBy(who), key);
  });

  it('blindTargets: roles above rater and other workspaces are never blind', async () => {
    await withQueueTables(t.store.db).updateTable('queues').set({ completed_at: null }).where('id', '=', 'blind').execute();
    expect([...(await blindTargets(t.store.db, { workspaceId: WS, raterId: 'bob', role: 'rater' }, ['item:b1', 'item:b2', 'item:open1']))].sort()).toEqual(['item:b1', 'item:b2']);
    expect((await blindTargets(t.store.db, { workspaceId: WS, raterId: 'bob', role: 'analyst' }, ['item:b1'])).size).toBe(0);
    expect((await blindTargets(t.store.db, { workspaceId: 'elsewhere', raterId: 'bob', role: 'rater' }, ['item:b1'])).size).toBe(0);
  });
});

describe('mayReview', () => {
  it('matches a rater id in the assignees exactly (no LIKE wildcards), and null means every rater', () => {
    expect(mayReview(null, 'rater_1')).toBe(true);
    expect(mayReview('["rater_1"]', 'rater_1')).toBe(true);
    expect(mayReview('["raterX1"]', 'rater_1')).toBe(false);
    expect(mayReview('["rater_10"]', 'rater_1')).toBe(false);
    expect(mayReview('not json', 'rater_1')).toBe(false);
  });
});

describe('with the queues API: a claim, then the review carrying queueId', () => {
  it('the claimed item comes blind; once the review lands (the projection marks the claim submitted) every route shows the verdict', async () => {
    const reg = await t.call(tok.pipeline!, 'POST', '/v1/items', {
      items: [{ key: 'z1', kind: 'error_analysis', output: 'analysis of z1', prediction: prediction('permission_error', 'z1') }],
    });
    const z1 = (await json(reg)).results[0].id as string;
    const made = await t.call(tok.analyst!, 'POST', '/v1/queues', { name: 'blind via API', itemKeys: ['z1'], blind: true, assignees: ['bob'] });
    expect(made.status, await made.clone().text()).toBe(201);
    const queueId = (await made.json()).id as string;
    const claimed = await json(await t.call(tok.bob!, 'POST', `/v1/queues/${queueId}/claims`));
    expect(claimed.item.blinded).toBe(true);
    expect(claimed.item.prediction).toBeUndefined();
    expect(JSON.stringify(claimed)).not.toContain('permission_error');
    expect((await get('bob', `/v1/items/${z1}`)).blinded).toBe(true);
    expect((await get('analyst', `/v1/items/${z1}`)).prediction.category).toBe('permission_error');
    const review = await t.call(tok.bob!, 'POST', '/v1/feedback', {
      id: '01900000-0000-7000-8000-00000000b001',
      target: { kind: 'error_analysis', key: 'item:z1' }, rating: { stars: 3 }, criterion: 'overall', queueId, createdAt: AT, updatedAt: AT,
    });
    expect(review.status, await review.clone().text()).toBe(201);
    const after = await get('bob', `/v1/items/${z1}`);
    expect(after.blinded).toBeUndefined();
    expect(after.prediction.category).toBe('permission_error');
    expect((await get('bob', '/v1/items?limit=50')).items.find((i: { key: string }) => i.key === 'z1').prediction.category).toBe('permission_error');
  });
});
