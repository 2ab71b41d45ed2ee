/**
 * Issue 13, item 4: times from the future. A write stamped more than MAX_CLOCK_SKEW_SECONDS
 * (default 300) ahead of the server is refused with reason `clock_ahead` (DESIGN, "Clocks"), and a
 * far-future row stored before that rule (year 9999) no longer locks its record: any permitted write
 * with a real time wins over it, so an admin (and the rater) can fix it (docs/decisions/0026).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { FAR_FUTURE as FAR, storeAsBefore } from '../../test/helpers/far-future.ts';
import { createApp } from '../app.ts';
import { parseEnv } from '../env.ts';
import { importRecords } from '../exports/import.ts';
import { rowToFeedback } from '../store/feedback-read.ts';
import type { TokenInfo } from '../store/tokens.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Result = { id: string; status: string; error?: string; reason?: string };

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

async function sync(t: TestApp, token: string, mutations: unknown[]) {
  const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'c1', mutations });
  expect(res.status).toBe(200);
  return (await res.json()) as { results: Result[]; serverTime: string };
}

/** The time is the server's own: between `before` and now plus the allowed skew, never the future row's. */
function expectPresent(time: string, before: number) {
  const ms = Date.parse(time);
  expect(ms, time).toBeGreaterThanOrEqual(before - SECOND);
  expect(ms, time).toBeLessThanOrEqual(Date.now() + 300 * SECOND);
}

describe('times ahead of the server clock are refused with clock_ahead', () => {
  it('sync: each mutation stamped > 300 s ahead (updatedAt, createdAt, year 9999, a delete) is rejected with reason clock_ahead; the rest apply', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const fine = makeFeedback();
    const slightlyAhead = makeFeedback({ createdAt: at(60 * SECOND), updatedAt: at(60 * SECOND) });
    const updatedAhead = makeFeedback({ updatedAt: at(2 * HOUR) });
    const createdAhead = makeFeedback({ createdAt: at(2 * HOUR) });
    const year9999 = makeFeedback({ createdAt: FAR, updatedAt: FAR });
    const body = await sync(t, token, [
      upsert(fine),
      upsert(slightlyAhead),
      upsert(updatedAhead),
      upsert(createdAhead),
      upsert(year9999),
      { id: fine.id, op: 'delete', updatedAt: at(2 * HOUR) },
    ]);
    expect(body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of body.results.slice(2)) {
      expect(r.reason).toBe('clock_ahead');
      expect(r.error).toMatch(/clock_ahead/);
      // Readable: says which time, and that the client should correct from serverTime.
      expect(r.error).toMatch(/ahead of the server/);
      expect(r.error).toMatch(/serverTime/);
    }
    expect(body.results[3]!.error).toMatch(/createdAt/);
    expect(body.results.map((r) => r.id)).toEqual([fine.id, slightlyAhead.id, updatedAhead.id, createdAhead.id, year9999.id, fine.id]);
    const rows = await t.store.db.selectFrom('feedback').select(['id', 'deleted']).execute();
    expect(rows.map((r) => r.id).sort()).toEqual([fine.id, slightlyAhead.id].sort());
    expect(rows.every((r) => r.deleted === 0)).toBe(true);
  });

  it('POST /v1/feedback: updatedAt or createdAt ahead is 422 clock_ahead and stores nothing', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    for (const f of [makeFeedback({ updatedAt: at(2 * HOUR) }), makeFeedback({ createdAt: at(2 * HOUR) }), makeFeedback({ createdAt: FAR, updatedAt: FAR })]) {
      const res = await t.call(token, 'POST', '/v1/feedback', f);
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.error.code).toBe('clock_ahead');
      expect(body.error.message).toMatch(/ahead of the server/);
    }
    expect(await t.store.db.selectFrom('feedback').selectAll().execute()).toHaveLength(0);
    expect((await t.call(token, 'POST', '/v1/feedback', makeFeedback({ updatedAt: at(60 * SECOND) }))).status).toBe(201);
  });

  it('PATCH /v1/feedback/{id}: an updatedAt ahead is 422 clock_ahead and changes nothing', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const f = makeFeedback();
    expect((await t.call(token, 'POST', '/v1/feedback', f)).status).toBe(201);
    const res = await t.call(token, 'PATCH', `/v1/feedback/${f.id}`, { rating: { thumb: 'down' }, updatedAt: at(2 * HOUR) });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('clock_ahead');
    expect((await (await t.call(token, 'GET', `/v1/feedback/${f.id}`)).json()).rating).toEqual({ thumb: 'up' });
  });

  it('MAX_CLOCK_SKEW_SECONDS: parsed from the environment (default 300) and honoured by the app', async () => {
    expect(parseEnv({}).MAX_CLOCK_SKEW_SECONDS).toBe(300);
    expect(parseEnv({ MAX_CLOCK_SKEW_SECONDS: '60' }).MAX_CLOCK_SKEW_SECONDS).toBe(60);
    expect(() => parseEnv({ MAX_CLOCK_SKEW_SECONDS: 'soon' })).toThrow(/MAX_CLOCK_SKEW_SECONDS/);
    expect(() => parseEnv({ MAX_CLOCK_SKEW_SECONDS: '-1' })).toThrow(/MAX_CLOCK_SKEW_SECONDS/);

    const t = await createTestApp();
    const { token } = await t.token('rater');
    const strict = createApp({ store: t.store, maxClockSkewSeconds: 60, rateLimitPerMinute: 0 });
    const mutation = upsert(makeFeedback({ updatedAt: at(120 * SECOND) }));
    const res = await strict.request('/v1/sync', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientId: 'c1', mutations: [mutation] }),
    });
    expect(((await res.json()) as { results: Result[] }).results[0]).toMatchObject({ status: 'rejected', reason: 'clock_ahead' });
    // The default app allows the same time (120 s < 300 s).
    expect((await sync(t, token, [mutation])).results[0]!.status).toBe('applied');
  });
});

describe('a far-future row stored before the rule no longer locks its record', () => {
  /** A year-9999 record of this rater, stored the way the old code accepted it. */
  async function legacy(t: TestApp, rater: { info: TokenInfo }) {
    const f = makeFeedback({ createdAt: FAR, updatedAt: FAR });
    expect((await storeAsBefore(t, rater.info, [upsert(f)]))[0]!.status).toBe('applied');
    return f;
  }

  it("the rater's next write with a real time wins (same id, and a new id on the same target)", async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const { token } = rater;
    const a = await legacy(t, rater);
    const before = Date.now();
    const now = at(0);
    const r1 = await sync(t, token, [upsert({ ...a, rating: { thumb: 'down' }, createdAt: now, updatedAt: now })]);
    expect(r1.results[0]!.status).toBe('applied');
    const got = await (await t.call(token, 'GET', `/v1/feedback/${a.id}`)).json();
    expect(got.rating).toEqual({ thumb: 'down' });
    expectPresent(got.updatedAt, before);

    const b = await legacy(t, rater);
    const second = makeFeedback({ target: b.target, rating: { thumb: 'down' }, createdAt: now, updatedAt: now });
    const r2 = await sync(t, token, [upsert(second)]);
    expect(r2.results[0]!.status).toBe('applied');
    const live = await (await t.call(token, 'GET', `/v1/feedback?limit=50`)).json();
    expect(live.items.map((x: { id: string }) => x.id)).toContain(second.id);
    expect(live.items.map((x: { id: string }) => x.id)).not.toContain(b.id);
  });

  it('an admin fixes it: DELETE stamps the tombstone with the server clock (not year 10000), and the rater can vote again', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const { token } = rater;
    const admin = (await t.token('admin')).token;
    const f = await legacy(t, rater);
    const before = Date.now();
    expect((await t.call(admin, 'DELETE', `/v1/feedback/${f.id}`)).status).toBe(200);
    const tomb = await t.store.db.selectFrom('feedback').selectAll().where('id', '=', f.id).executeTakeFirstOrThrow();
    expect(tomb.deleted).toBe(1);
    expectPresent(tomb.updated_at, before);
    const now = at(1);
    expect((await sync(t, token, [upsert({ ...f, rating: { thumb: 'down' }, createdAt: now, updatedAt: now })])).results[0]!.status).toBe('applied');

    // An admin's sync delete with a real time wins too.
    const g = await legacy(t, rater);
    expect((await sync(t, admin, [{ id: g.id, op: 'delete', updatedAt: at(0) }])).results[0]!.status).toBe('applied');
  });

  it("server-stamped writes over it (PATCH without updatedAt, drop-in re-post) restart from the server clock, so the export imports again", async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const { token } = rater;
    const f = await legacy(t, rater);
    const before = Date.now();
    const res = await t.call(token, 'PATCH', `/v1/feedback/${f.id}`, { comment: 'fixed' });
    expect(res.status).toBe(200);
    const patched = (await res.json()).feedback;
    expectPresent(patched.updatedAt, before);
    expect(patched.createdAt).toBe(patched.updatedAt);

    const row = await t.store.db.selectFrom('feedback').selectAll().where('id', '=', f.id).executeTakeFirstOrThrow();
    const line = JSON.stringify(rowToFeedback(row));
    const other = await createTestApp();
    const report = await importRecords(other.store.db, Readable.from([line]));
    expect(report.rejected).toEqual([]);
    expect(report.applied).toBe(1);
  });

  it('the drop-in conversation route stamps every post with the server clock, whatever is stored', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    expect((await t.call(token, 'POST', '/api/v1/feedback/conv-9', { score: 2 })).status).toBe(200);
    await t.store.db.updateTable('feedback').set({ updated_at: FAR }).where('conversation_id', '=', 'conv-9').execute();
    const before = Date.now();
    // Each post is its own interaction (a new record), never a rewrite of the one ahead of the clock.
    expect((await t.call(token, 'POST', '/api/v1/feedback/conv-9', { score: 5 })).status).toBe(200);
    const rows = await t.store.db.selectFrom('feedback').selectAll().where('conversation_id', '=', 'conv-9').where('deleted', '=', 0).orderBy('stars').execute();
    expect(rows.map((r) => r.stars)).toEqual([2, 5]);
    expect(rows[0]!.updated_at).toBe(FAR);
    expectPresent(rows[1]!.updated_at, before);
    expectPresent(rows[1]!.created_at, before);
  });
});
