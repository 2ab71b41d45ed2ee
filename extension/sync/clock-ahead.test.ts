/**
 * Issue 13, item 4, the extension's half: `clock_ahead` is the one rejection a client does not drop
 * (DESIGN, "Clocks"). The sync client against the real server app (real SQLite, app.request as
 * fetch), with the outbox's clock 2 hours ahead of the server's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, upsert } from '../../test/helpers/app.ts';
import { FAR_FUTURE, storeAsBefore } from '../../test/helpers/far-future.ts';
import type { Feedback, Mutation, Target } from '../../shared/schemas.ts';
import { Outbox } from '../outbox/outbox.ts';
import { testOutbox } from '../outbox/test-db.ts';
import { syncOnce, type SyncDeps } from './client.ts';
import type { Fetch } from './http.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const SERVER = 'http://127.0.0.1:8787';
const HOUR = 3_600_000;
/** A wrong clock: two hours ahead of the machine's (and so of the server's). */
const ahead = () => Date.now() + 2 * HOUR;

const target = (key: string): Target => ({ kind: 'chat_response', key, site: 'chatgpt', conversationId: 'conv-1', model: 'gpt-5', output: '4' });

let t: TestApp;
let rater: Awaited<ReturnType<TestApp['token']>>;
let calls: string[];

const appFetch: Fetch = async (url, init) => {
  calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
  return t.app.request(url, init);
};
const deps = (outbox: Outbox, extra: Partial<SyncDeps> = {}): SyncDeps => ({
  outbox,
  fetch: appFetch,
  getServer: async () => ({ serverUrl: SERVER, token: rater.token }),
  ...extra,
});

async function serverRecords(): Promise<Feedback[]> {
  const res = await t.call(rater.token, 'GET', '/v1/feedback?limit=500');
  expect(res.status).toBe(200);
  return (await res.json()).items;
}

/** Within a minute of the real time: the server's clock, not the outbox's. */
function expectCorrected(time: string | undefined) {
  expect(Math.abs(Date.parse(time ?? '') - Date.now()), `${time} is not the server's time`).toBeLessThan(60_000);
}

beforeEach(async () => {
  t = await createTestApp();
  rater = await t.token('rater', { name: 'alice' });
  calls = [];
});
afterEach(async () => {
  await t.store.close();
});

describe('a clock ahead of the server', () => {
  it('a rating made 2 hours ahead lands, once, with a corrected time, in the same run; later ratings use the offset', async () => {
    const outbox = testOutbox({ now: ahead });
    const saved = await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    expect(Date.parse(saved.updatedAt)).toBeGreaterThan(Date.now() + HOUR);

    const report = await syncOnce(deps(outbox), { fetchConfig: false });
    const records = await serverRecords();
    expect(records).toHaveLength(1);
    expect(records[0]!.id).toBe(saved.feedbackId);
    expect(records[0]!.rating).toEqual({ thumb: 'up' });
    expectCorrected(records[0]!.updatedAt);
    expectCorrected(records[0]!.createdAt);
    expect(report).toMatchObject({ ok: true, rejected: 0, synced: 1 });
    // Refused once, corrected and sent again in the same run.
    expect(calls).toEqual(['POST /v1/sync', 'POST /v1/sync']);
    const events = await t.store.db.selectFrom('feedback_events').selectAll().where('feedback_id', '=', saved.feedbackId).execute();
    expect(events.map((e) => e.op)).toEqual(['create']);

    expect(await outbox.counts()).toEqual({ pending: 0, synced: 1, rejected: 0 });
    const row = await outbox.get('k1');
    expect(row).toMatchObject({ state: 'synced', updatedAt: records[0]!.updatedAt });
    expect(row!.error).toBeUndefined();

    // The offset is kept: the next rating is stamped with the server's time and lands at once.
    const offset = await outbox.clockOffset();
    expect(Math.abs(offset! + 2 * HOUR)).toBeLessThan(60_000);
    const next = await outbox.save({ target: target('k2'), rating: { stars: 4 } });
    expectCorrected(next.updatedAt);
    calls = [];
    expect(await syncOnce(deps(outbox), { fetchConfig: false })).toMatchObject({ ok: true, synced: 1, rejected: 0 });
    expect(calls).toEqual(['POST /v1/sync']);
    // A re-vote stays strictly after the corrected time of that row.
    const revote = await outbox.save({ target: target('k1'), rating: { thumb: 'down' } });
    expect(Date.parse(revote.updatedAt)).toBeGreaterThan(Date.parse(row!.updatedAt));
    expectCorrected(revote.updatedAt);
  });

  it('the offset is kept in the outbox: another Outbox on the same database (a restarted worker) stamps with it', async () => {
    const first = testOutbox({ now: ahead });
    await first.save({ target: target('k1'), rating: { thumb: 'up' } });
    await syncOnce(deps(first), { fetchConfig: false });
    const restarted = new Outbox(first.db, { now: ahead });
    const row = await restarted.save({ target: target('k2'), rating: { thumb: 'down' } });
    expectCorrected(row.updatedAt);
    expectCorrected(row.feedback!.createdAt);
  });

  it('a vote on a target whose record the server holds at year 9999 lands, and replaces it', async () => {
    // Stored before times were checked: straight through the store.
    const old = upsert({ id: '019a0000-0000-7000-8000-000000000001', target: target('k-old'), rating: { thumb: 'up' }, createdAt: FAR_FUTURE, updatedAt: FAR_FUTURE } as never) as Mutation;
    expect((await storeAsBefore(t, rater.info, [old]))[0]!.status).toBe('applied');
    const outbox = testOutbox();
    // The extension adopts the rater's own record when the conversation opens, then the rater re-votes.
    await outbox.adopt(await serverRecords());
    const revote = await outbox.save({ target: target('k-old'), rating: { thumb: 'down' } });
    expect(revote.feedbackId).toBe(old.id);
    const report = await syncOnce(deps(outbox), { fetchConfig: false });
    expect(report).toMatchObject({ ok: true, rejected: 0 });
    const records = await serverRecords();
    expect(records).toHaveLength(1);
    expect(records[0]!.rating).toEqual({ thumb: 'down' });
    expectCorrected(records[0]!.updatedAt);
  });

  it('a vote on a record the server holds at 2099 is refused once, re-stamped by the corrected clock, and lands', async () => {
    const LATER = '2099-01-01T00:00:00.000Z';
    const old = upsert({ id: '019a0000-0000-7000-8000-000000000002', target: target('k-2099'), rating: { thumb: 'up' }, createdAt: LATER, updatedAt: LATER } as never) as Mutation;
    expect((await storeAsBefore(t, rater.info, [old]))[0]!.status).toBe('applied');
    const outbox = testOutbox();
    await outbox.adopt(await serverRecords());
    // Before any correction this clock might be the one behind: the stored time is followed...
    const revote = await outbox.save({ target: target('k-2099'), rating: { thumb: 'down' } });
    expect(revote.updatedAt).toBe('2099-01-01T00:00:00.001Z');
    const report = await syncOnce(deps(outbox), { fetchConfig: false });
    // ...the server refuses it as clock_ahead, and the re-stamp starts from the corrected clock.
    expect(calls).toEqual(['POST /v1/sync', 'POST /v1/sync']);
    expect(report).toMatchObject({ ok: true, rejected: 0, synced: 1 });
    const records = await serverRecords();
    expect(records.map((r) => r.rating)).toEqual([{ thumb: 'down' }]);
    expectCorrected(records[0]!.updatedAt);
  });

  it('corrects once per run: a server that keeps answering clock_ahead gets two requests, and the rating stays pending', async () => {
    const outbox = testOutbox({ now: ahead });
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const stubborn: Fetch = async (url, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
      const { mutations } = JSON.parse(String(init!.body)) as { mutations: Mutation[] };
      return Response.json({
        results: mutations.map((m) => ({ id: m.id, status: 'rejected', reason: 'clock_ahead', error: 'clock_ahead: updatedAt is ahead of the server clock' })),
        serverTime: new Date(Date.now() - 5 * HOUR).toISOString(),
      });
    };
    const report = await syncOnce(deps(outbox, { fetch: stubborn }), { fetchConfig: false });
    expect(calls).toEqual(['POST /v1/sync', 'POST /v1/sync']);
    expect(report.rejected).toBe(0);
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 0, rejected: 0 });
  });
});

describe('a row the server keeps refusing as clock_ahead', () => {
  it('is held back for the rest of the run while the rows after it are sent', async () => {
    const outbox = testOutbox();
    await outbox.save({ target: target('k-stuck'), rating: { thumb: 'up' } });
    await outbox.save({ target: target('k2'), rating: { thumb: 'up' } });
    await outbox.save({ target: target('k3'), rating: { thumb: 'down' } });
    const sticky: Fetch = async (url, init) => {
      const { mutations } = JSON.parse(String(init!.body)) as { mutations: Mutation[] };
      const stuck = mutations.find((m) => m.op === 'upsert' && m.feedback.target.key === 'k-stuck');
      if (!stuck) return appFetch(url, init);
      calls.push('POST /v1/sync (stuck)');
      return Response.json({
        results: [{ id: stuck.id, status: 'rejected', reason: 'clock_ahead', error: 'clock_ahead: updatedAt is ahead of the server clock' }],
        serverTime: new Date().toISOString(),
      });
    };
    const report = await syncOnce(deps(outbox, { fetch: sticky }), { fetchConfig: false, maxMutations: 1 });
    // Re-stamped by the corrected clock, it queues after the other two; refused again, it is held.
    expect(calls).toEqual(['POST /v1/sync (stuck)', 'POST /v1/sync', 'POST /v1/sync', 'POST /v1/sync (stuck)']);
    expect(report).toMatchObject({ ok: true, synced: 2, rejected: 0 });
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 2, rejected: 0 });
    expect((await serverRecords()).map((r) => r.target.key).sort()).toEqual(['k2', 'k3']);
  });
});

describe('Outbox.takeBatch skip', () => {
  it('leaves the held keys out and still fills the batch up to its size', async () => {
    const outbox = testOutbox();
    for (const key of ['a', 'b', 'c']) await outbox.save({ target: target(key), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('c1', { maxMutations: 1, skip: new Set(['a']) });
    expect(batch.sent.map((s) => s.key)).toEqual(['b']);
  });
});
