/**
 * Reading one's own ratings back, against the real server app (real store, app.request as fetch):
 * only this rater's records in the conversation, paged to a bound, and, adopted by an outbox, a
 * vote from another device or from before a reinstall that a re-vote updates (still one record).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import type { Feedback, Target } from '../../shared/schemas.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testOutbox } from '../outbox/test-db.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { syncOnce } from './client.ts';
import type { Fetch } from './http.ts';
import { OWN_RATINGS_MAX, fetchOwnRatings, readRecord, type OwnRatingsDeps } from './own-ratings.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const SERVER = 'http://127.0.0.1:8787';

const target = (key: string, conversationId = 'conv-x', extra: Partial<Target> = {}): Target => ({
  kind: 'chat_response',
  key,
  site: 'chatgpt',
  conversationId,
  model: 'gpt-5',
  prompt: 'What is 2+2?',
  output: '4',
  ...extra,
});

let t: TestApp;
let alice: { token: string; raterId: string };
let calls: URL[];

/** fetch that goes to the real app in memory, recording each URL. */
const appFetch: Fetch = async (url, init) => {
  calls.push(new URL(url));
  return t.app.request(url, init);
};

const as = (token: string, fetch: Fetch = appFetch): OwnRatingsDeps => ({ fetch, getServer: async () => ({ serverUrl: SERVER, token }) });

/** A device of alice: its own outbox, its own token, synced through the real /v1/sync. */
async function device(): Promise<{ outbox: Outbox; sync(): Promise<void> }> {
  const { token } = await t.token('rater', { raterId: alice.raterId });
  const outbox = testOutbox();
  return {
    outbox,
    async sync() {
      const report = await syncOnce({ outbox, fetch: appFetch, getServer: async () => ({ serverUrl: SERVER, token }) }, { fetchConfig: false });
      expect(report.ok).toBe(true);
    },
  };
}

async function ownRatings(token: string, q: { site?: string; conversationId: string }): Promise<Feedback[]> {
  const res = await fetchOwnRatings(as(token), q);
  if (!res.ok) throw new Error(res.failure.message);
  return res.records;
}

/** Alice's live records on the server, read directly from the store. */
async function liveOnServer() {
  return t.store.db.selectFrom('feedback').selectAll().where('rater_id', '=', alice.raterId).where('deleted', '=', 0).execute();
}

beforeEach(async () => {
  // Only the clock (fake-indexeddb schedules its own work on real timers): two devices' votes must
  // not share a millisecond, or which one wins would be up to the tie-break.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-02-01T10:00:00.000Z'));
  t = await createTestApp();
  const created = await t.token('rater', { name: 'alice' });
  alice = { token: created.token, raterId: created.info.raterId };
  calls = [];
});
afterEach(async () => {
  await t.store.close();
  vi.useRealTimers();
});

describe('fetchOwnRatings', () => {
  it("returns this rater's records in the conversation, not another conversation's, rater's or workspace's", async () => {
    const bob = await t.token('rater');
    const elsewhere = await t.token('rater', { workspaceId: 'team-b', raterId: alice.raterId });
    const mine = makeFeedback({ target: target('m1') });
    const mineOnClaude = makeFeedback({ target: target('m2', 'conv-x', { site: 'claude' }) });
    const otherConversation = makeFeedback({ target: target('m3', 'conv-y') });
    for (const [token, f] of [[alice.token, mine], [alice.token, mineOnClaude], [alice.token, otherConversation], [bob.token, makeFeedback({ target: target('b1') })], [elsewhere.token, makeFeedback({ target: target('e1') })]] as const) {
      expect((await t.call(token, 'POST', '/v1/feedback', f)).status).toBe(201);
    }
    const all = await ownRatings(alice.token, { conversationId: 'conv-x' });
    expect(all.map((r) => r.id).sort()).toEqual([mine.id, mineOnClaude.id].sort());
    expect(all.find((r) => r.id === mine.id)).toMatchObject({ target: { key: 'm1', conversationId: 'conv-x' }, rating: { thumb: 'up' }, raterId: alice.raterId });
    expect((await ownRatings(alice.token, { site: 'chatgpt', conversationId: 'conv-x' })).map((r) => r.id)).toEqual([mine.id]);
    expect(await ownRatings(alice.token, { conversationId: 'conv-none' })).toEqual([]);
    const asked = calls.at(-1)!;
    expect(asked.pathname).toBe('/v1/feedback');
    expect(Object.fromEntries(asked.searchParams)).toEqual({ conversationId: 'conv-none', includeDeleted: 'true', limit: '500' });
  });

  it(`pages through nextCursor and stops at ${OWN_RATINGS_MAX} records`, async () => {
    const records = Array.from({ length: OWN_RATINGS_MAX + 100 }, (_, i) => makeFeedback({ target: target(`k${i}`) }));
    for (let i = 0; i < records.length; i += 500) {
      const res = await t.call(alice.token, 'POST', '/v1/sync', { clientId: 'seed', mutations: records.slice(i, i + 500).map(upsert) });
      expect(res.status).toBe(200);
    }
    const got = await ownRatings(alice.token, { conversationId: 'conv-x' });
    expect(got).toHaveLength(OWN_RATINGS_MAX);
    expect(new Set(got.map((r) => r.id)).size).toBe(OWN_RATINGS_MAX);
    expect(calls.map((u) => [u.searchParams.get('limit'), u.searchParams.has('cursor')])).toEqual([['500', false], ['500', true]]);
  });

  it('keeps tombstones (with their record) and drops record-less ones and other conversations when a server ignores the filter', async () => {
    const kept = makeFeedback({ target: target('k1') });
    const undone = makeFeedback({ target: target('k2') });
    const otherConversation = makeFeedback({ target: target('k3', 'conv-y') });
    for (const f of [kept, undone, otherConversation]) expect((await t.call(alice.token, 'POST', '/v1/feedback', f)).status).toBe(201);
    expect((await t.call(alice.token, 'DELETE', `/v1/feedback/${undone.id}`)).status).toBe(200);
    // A delete for an id the server never saw: a tombstone without a record, listed with includeDeleted.
    await t.call(alice.token, 'POST', '/v1/sync', { clientId: 'x', mutations: [{ id: uuidv7(), op: 'delete', updatedAt: '2026-01-02T00:00:00.000Z' }] });
    // An older server without the filter answers with everything.
    const ignoresFilter: Fetch = (url, init) => {
      const u = new URL(url);
      u.searchParams.delete('conversationId');
      u.searchParams.delete('site');
      return appFetch(u.toString(), init);
    };
    const res = await fetchOwnRatings(as(alice.token, ignoresFilter), { site: 'chatgpt', conversationId: 'conv-x' });
    expect(res.ok && res.records.map((r) => [r.id, r.deleted ?? false]).sort()).toEqual([[kept.id, false], [undone.id, true]].sort());
  });

  it('keeps a record from a newer server with fields it does not know (top level and nested), and still drops a broken one', async () => {
    const f = makeFeedback({ target: target('k1') });
    expect((await t.call(alice.token, 'POST', '/v1/feedback', f)).status).toBe(201);
    const newer: Fetch = async (url, init) => {
      const res = await appFetch(url, init);
      const body = (await res.json()) as { items: Record<string, any>[]; nextCursor: string | null };
      const items = body.items.map((r) => ({ ...r, addedLater: 1, target: { ...r.target, alsoLater: 'x' } }));
      return new Response(JSON.stringify({ ...body, items: [...items, { ...items[0], id: 'not-a-uuid' }] }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const res = await fetchOwnRatings(as(alice.token, newer), { site: 'chatgpt', conversationId: 'conv-x' });
    expect(res.ok && res.records.map((r) => [r.id, r.target.key, 'addedLater' in r, 'alsoLater' in r.target])).toEqual([[f.id, 'k1', false, false]]);
    expect(readRecord({ ...f, receivedAt: f.updatedAt, raterId: 'r', workspaceId: 'w', clientId: null, rating: { thumb: 'sideways' } }).success).toBe(false);
  });

  it('reports failures as the sync client does: no token, bad token, not a Groundtruth server, unreachable', async () => {
    expect(await fetchOwnRatings(as(''), { conversationId: 'c' })).toMatchObject({ ok: false, failure: { kind: 'not-configured' } });
    expect(calls).toEqual([]);
    expect(await fetchOwnRatings(as('gt_nope'), { conversationId: 'c' })).toMatchObject({ ok: false, failure: { kind: 'unauthorized', status: 401 } });
    const html: Fetch = async () => new Response('<html>hi</html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    expect(await fetchOwnRatings(as(alice.token, html), { conversationId: 'c' })).toMatchObject({ ok: false, failure: { kind: 'not-groundtruth' } });
    // A real refused connection: nothing listens on port 1.
    const offline = await fetchOwnRatings({ fetch: (url, init) => fetch(url, init), getServer: async () => ({ serverUrl: 'http://127.0.0.1:1', token: alice.token }) }, { conversationId: 'c' });
    expect(offline).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
  });
});

describe('own ratings follow the rater (fetchOwnRatings + outbox.adopt)', () => {
  it('after a reinstall the vote shows as synced, and a re-vote updates the same record', async () => {
    const before = await device();
    await before.outbox.save({ target: target('k1'), rating: { thumb: 'up' }, comment: 'right' });
    await before.sync();
    const [original] = await liveOnServer();
    vi.advanceTimersByTime(60_000);

    const reinstalled = await device();
    const changed = await reinstalled.outbox.adopt(await ownRatings(alice.token, { site: 'chatgpt', conversationId: 'conv-x' }));
    expect(changed).toEqual([{ key: 'k1', state: 'synced', rating: { thumb: 'up' }, comment: 'right' }]);
    await reinstalled.outbox.save({ target: target('k1'), rating: { thumb: 'down' } });
    await reinstalled.sync();
    const live = await liveOnServer();
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ id: original!.id, thumb: 'down', created_at: original!.created_at });
    expect(live[0]!.updated_at > original!.updated_at).toBe(true);
    // The event log saw an update of that record, not a second record.
    const events = await t.store.db.selectFrom('feedback_events').select('op').where('feedback_id', '=', original!.id).orderBy('id').execute();
    expect(events.map((e) => e.op)).toEqual(['create', 'update']);
  });

  it("a second device's vote and undo reach the first device's widgets", async () => {
    const laptop = await device();
    const phone = await device();
    await laptop.outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    await laptop.sync();
    vi.advanceTimersByTime(60_000);
    // The phone had not seen it and votes on the same answer with its own id: the server supersedes.
    await phone.outbox.save({ target: target('k1'), rating: { stars: 2 } });
    await phone.sync();
    const phoneId = (await phone.outbox.get('k1'))!.feedbackId;

    const onLaptop = await laptop.outbox.adopt(await ownRatings(alice.token, { conversationId: 'conv-x' }));
    expect(onLaptop).toEqual([{ key: 'k1', state: 'synced', rating: { stars: 2 } }]);
    expect((await laptop.outbox.get('k1'))!.feedbackId).toBe(phoneId);

    vi.advanceTimersByTime(60_000);
    await phone.outbox.undo('k1');
    await phone.sync();
    expect(await liveOnServer()).toHaveLength(0);
    expect(await laptop.outbox.adopt(await ownRatings(alice.token, { conversationId: 'conv-x' }))).toEqual([{ key: 'k1', state: 'none' }]);
    expect(await laptop.outbox.get('k1')).toBeUndefined();
  });
});
