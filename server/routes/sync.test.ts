import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { LIMITS } from '../../shared/limits.ts';

async function sync(t: Awaited<ReturnType<typeof createTestApp>>, token: string, mutations: unknown[], clientId = 'client-a') {
  const res = await t.call(token, 'POST', '/v1/sync', { clientId, mutations });
  return { res, body: (await res.json()) as { results: { id: string; status: string; error?: string }[]; serverTime: string } };
}

describe('POST /v1/sync', () => {
  it('replayed three times gives one record each and the replays are unchanged', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const records = [makeFeedback(), makeFeedback(), makeFeedback()];
    const batch = records.map(upsert);
    const first = await sync(t, token, batch);
    expect(first.res.status).toBe(200);
    expect(first.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    for (let i = 0; i < 2; i++) {
      const again = await sync(t, token, batch);
      expect(again.body.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    }
    const rows = await t.store.db.selectFrom('feedback').selectAll().execute();
    expect(rows).toHaveLength(3);
    const events = await t.store.db.selectFrom('feedback_events').selectAll().execute();
    expect(events).toHaveLength(3);
  });

  it('an older updatedAt is stale and loses; a newer one wins', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const f = makeFeedback({ updatedAt: '2026-01-02T00:00:00.000Z' });
    await sync(t, token, [upsert(f)]);
    const older = { ...f, rating: { thumb: 'down' }, updatedAt: '2026-01-01T00:00:00.000Z' };
    const r1 = await sync(t, token, [upsert(older)]);
    expect(r1.body.results[0]!.status).toBe('stale');
    const got = await (await t.call(token, 'GET', `/v1/feedback/${f.id}`)).json();
    expect(got.rating).toEqual({ thumb: 'up' });
    const newer = { ...f, rating: { thumb: 'down' }, updatedAt: '2026-01-03T00:00:00.000Z' };
    expect((await sync(t, token, [upsert(newer)])).body.results[0]!.status).toBe('applied');
    expect((await (await t.call(token, 'GET', `/v1/feedback/${f.id}`)).json()).rating).toEqual({ thumb: 'down' });
  });

  it('breaks updatedAt ties deterministically whatever the arrival order', async () => {
    const at = '2026-01-05T00:00:00.000Z';
    const base = makeFeedback({ updatedAt: at });
    const a = { ...base, rating: { thumb: 'up' } };
    const b = { ...base, rating: { thumb: 'down' } };
    const finals: unknown[] = [];
    for (const order of [[a, b], [b, a]]) {
      const t = await createTestApp();
      const { token } = await t.token('rater');
      for (const f of order) await sync(t, token, [upsert(f)]);
      finals.push((await (await t.call(token, 'GET', `/v1/feedback/${base.id}`)).json()).rating);
    }
    expect(finals[0]).toEqual(finals[1]);
  });

  it('rejects one invalid mutation with a readable reason while the rest apply', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const good1 = makeFeedback();
    const good2 = makeFeedback();
    const bad = makeFeedback({ rating: { stars: 9 } });
    const noRating = makeFeedback({ rating: {} });
    const { body } = await sync(t, token, [upsert(good1), upsert(bad), upsert(noRating), upsert(good2), { op: 'explode' }]);
    expect(body.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'rejected', 'applied', 'rejected']);
    expect(body.results[1]!.error).toMatch(/stars/);
    expect(body.results[2]!.error).toMatch(/at least one of thumb, stars or label/);
    expect(body.results[1]!.id).toBe(bad.id);
    const ids = (await t.store.db.selectFrom('feedback').select('id').execute()).map((r) => r.id).sort();
    expect(ids).toEqual([good1.id, good2.id].sort());
  });

  it('deletes are tombstones: 404 on read, listed with includeDeleted, and an older upsert cannot resurrect', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const f = makeFeedback({ updatedAt: '2026-01-01T00:00:00.000Z' });
    await sync(t, token, [upsert(f)]);
    const del = await sync(t, token, [{ id: f.id, op: 'delete', updatedAt: '2026-01-02T00:00:00.000Z' }]);
    expect(del.body.results[0]!.status).toBe('applied');
    expect((await t.call(token, 'GET', `/v1/feedback/${f.id}`)).status).toBe(404);
    expect((await sync(t, token, [upsert(f)])).body.results[0]!.status).toBe('stale');
    const listed = await (await t.call(token, 'GET', '/v1/feedback?includeDeleted=true')).json();
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0].deleted).toBe(true);
    const plain = await (await t.call(token, 'GET', '/v1/feedback')).json();
    expect(plain.items).toHaveLength(0);
    // A delete for an id the server never saw still leaves a tombstone that wins over a later, older upsert.
    const g = makeFeedback({ updatedAt: '2026-01-01T00:00:00.000Z' });
    await sync(t, token, [{ id: g.id, op: 'delete', updatedAt: '2026-01-03T00:00:00.000Z' }]);
    expect((await sync(t, token, [upsert(g)])).body.results[0]!.status).toBe('stale');
  });

  it('a re-vote from a second device (new id, same target) leaves one live record', async () => {
    const t = await createTestApp();
    const { info } = await t.token('rater');
    const phone = await t.token('rater', { raterId: info.raterId });
    const laptop = await t.token('rater', { raterId: info.raterId });
    const first = makeFeedback({ updatedAt: '2026-01-01T00:00:00.000Z' });
    const second = makeFeedback({ target: first.target, rating: { thumb: 'down' }, updatedAt: '2026-01-02T00:00:00.000Z' });
    await sync(t, laptop.token, [upsert(first)], 'laptop');
    expect((await sync(t, phone.token, [upsert(second)], 'phone')).body.results[0]!.status).toBe('applied');
    const live = await t.store.db.selectFrom('feedback').selectAll().where('deleted', '=', 0).execute();
    expect(live).toHaveLength(1);
    expect(live[0]!.id).toBe(second.id);
    // The older device syncing again loses.
    const late = { ...first, updatedAt: '2026-01-01T12:00:00.000Z' };
    expect((await sync(t, laptop.token, [upsert(late)], 'laptop')).body.results[0]!.status).toBe('stale');
  });

  it('answers 401 without a token, 400 on malformed JSON, 422 on a bad envelope, 413 over 1 MiB, 415 on non-JSON', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    expect((await t.app.request('/v1/sync', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })).status).toBe(401);
    const malformed = await t.call(token, 'POST', '/v1/sync', '{"clientId": "x", "mutations": [');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('malformed_json');
    const tooMany = await t.call(token, 'POST', '/v1/sync', { clientId: 'x', mutations: Array.from({ length: LIMITS.syncMaxMutations + 1 }, () => ({})) });
    expect(tooMany.status).toBe(422);
    const body = await tooMany.json();
    expect(body.error.message).toMatch(/at most 500/);
    const noClient = await t.call(token, 'POST', '/v1/sync', { mutations: [] });
    expect(noClient.status).toBe(422);
    expect((await noClient.json()).error.message).toMatch(/clientId/);
    const huge = await t.call(token, 'POST', '/v1/sync', { clientId: 'x', mutations: [], pad: 'x'.repeat(LIMITS.maxBodyBytes) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('payload_too_large');
    const text = await t.app.request('/v1/sync', { method: 'POST', body: 'hi', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(await t.store.db.selectFrom('feedback').selectAll().execute()).toHaveLength(0);
  });

  it('does not let one rater overwrite another rater\'s record by reusing its id', async () => {
    const t = await createTestApp();
    const a = await t.token('rater');
    const b = await t.token('rater');
    const f = makeFeedback();
    await sync(t, a.token, [upsert(f)]);
    const hijack = { ...f, rating: { thumb: 'down' }, updatedAt: '2026-01-02T00:00:00.000Z' };
    const r = await sync(t, b.token, [upsert(hijack)]);
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', error: expect.stringMatching(/another rater/) });
    expect((await (await t.call(a.token, 'GET', `/v1/feedback/${f.id}`)).json()).rating).toEqual({ thumb: 'up' });
  });
});
