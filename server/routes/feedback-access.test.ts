/** Native feedback routes: roles, workspace isolation, filters, pagination, PATCH and DELETE. */
import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';

async function seed() {
  const t = await createTestApp();
  const alice = await t.token('rater', { name: 'alice' });
  const bob = await t.token('rater', { name: 'bob' });
  const analyst = await t.token('analyst');
  const admin = await t.token('admin');
  const other = await t.token('analyst', { workspaceId: 'team-b' });
  const otherRater = await t.token('rater', { workspaceId: 'team-b' });
  const a1 = makeFeedback({ rating: { thumb: 'up', stars: 5 } });
  const a2 = makeFeedback({ rating: { thumb: 'down', stars: 1 }, target: { ...makeFeedback().target, model: 'claude-4', site: 'claude' } });
  const b1 = makeFeedback({ rating: { stars: 3 } });
  const x1 = makeFeedback();
  for (const [tok, f] of [[alice, a1], [alice, a2], [bob, b1], [otherRater, x1]] as const) {
    expect((await t.call(tok.token, 'POST', '/v1/feedback', f)).status).toBe(201);
  }
  return { t, alice, bob, analyst, admin, other, otherRater, a1, a2, b1, x1 };
}

const ids = async (res: Response) => ((await res.json()).items as { id: string }[]).map((i) => i.id).sort();

describe('feedback access', () => {
  it('raters see only their own records; analysts their workspace; nobody another workspace', async () => {
    const s = await seed();
    expect(await ids(await s.t.call(s.alice.token, 'GET', '/v1/feedback'))).toEqual([s.a1.id, s.a2.id].sort());
    expect((await s.t.call(s.alice.token, 'GET', `/v1/feedback/${s.b1.id}`)).status).toBe(404);
    // A rater cannot widen the scope with the rater filter.
    expect(await ids(await s.t.call(s.alice.token, 'GET', `/v1/feedback?rater=${s.bob.info.raterId}`))).toEqual([]);
    expect(await ids(await s.t.call(s.analyst.token, 'GET', '/v1/feedback'))).toEqual([s.a1.id, s.a2.id, s.b1.id].sort());
    expect((await s.t.call(s.analyst.token, 'GET', `/v1/feedback/${s.b1.id}`)).status).toBe(200);
    expect((await s.t.call(s.other.token, 'GET', `/v1/feedback/${s.a1.id}`)).status).toBe(404);
    expect(await ids(await s.t.call(s.other.token, 'GET', '/v1/feedback'))).toEqual([s.x1.id]);
    expect((await s.t.call(s.admin.token, 'GET', `/v1/feedback/${s.x1.id}`)).status).toBe(404);
  });

  it('filters by model, site, thumb, stars and rater, and pages with a cursor', async () => {
    const s = await seed();
    const q = async (query: string) => ids(await s.t.call(s.analyst.token, 'GET', `/v1/feedback?${query}`));
    expect(await q('model=claude-4')).toEqual([s.a2.id]);
    expect(await q('site=claude')).toEqual([s.a2.id]);
    expect(await q('thumb=up')).toEqual([s.a1.id]);
    expect(await q('minStars=3')).toEqual([s.a1.id, s.b1.id].sort());
    expect(await q('maxStars=3')).toEqual([s.a2.id, s.b1.id].sort());
    expect(await q(`rater=${s.bob.info.raterId}`)).toEqual([s.b1.id]);
    expect(await q('since=2030-01-01T00:00:00Z')).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await s.t.call(s.analyst.token, 'GET', `/v1/feedback?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(1);
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([s.a1.id, s.a2.id, s.b1.id].sort());
    expect((await s.t.call(s.analyst.token, 'GET', '/v1/feedback?thumb=sideways')).status).toBe(422);
    expect((await s.t.call(s.analyst.token, 'GET', '/v1/feedback?cursor=garbage')).status).toBe(422);
    expect((await s.t.call(s.analyst.token, 'GET', '/v1/feedback?limit=100000')).status).toBe(422);
  });

  it('PATCH changes your own record and moves updatedAt forward; others get 403/404', async () => {
    const s = await seed();
    const res = await s.t.call(s.alice.token, 'PATCH', `/v1/feedback/${s.a1.id}`, { rating: { thumb: 'down' }, comment: 'on second thought' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.feedback).toMatchObject({ rating: { thumb: 'down' }, comment: 'on second thought' });
    expect(body.feedback.updatedAt > s.a1.updatedAt).toBe(true);
    expect((await s.t.call(s.bob.token, 'PATCH', `/v1/feedback/${s.a1.id}`, { comment: 'x' })).status).toBe(404);
    expect((await s.t.call(s.analyst.token, 'PATCH', `/v1/feedback/${s.a1.id}`, { comment: 'x' })).status).toBe(403);
    expect((await s.t.call(s.alice.token, 'PATCH', `/v1/feedback/${s.a1.id}`, { rating: { stars: 7 } })).status).toBe(422);
    expect((await s.t.call(s.alice.token, 'PATCH', `/v1/feedback/${s.a1.id}`, { owner: 'me' })).status).toBe(422);
    const events = await s.t.store.db.selectFrom('feedback_events').selectAll().where('feedback_id', '=', s.a1.id).orderBy('id').execute();
    expect(events.map((e) => e.op)).toEqual(['create', 'update']);
    expect(JSON.parse(events[1]!.before!).rating).toEqual({ thumb: 'up', stars: 5 });
  });

  it('DELETE: owners and admins may, analysts and other raters may not; the record then reads 404', async () => {
    const s = await seed();
    expect((await s.t.call(s.bob.token, 'DELETE', `/v1/feedback/${s.a1.id}`)).status).toBe(404);
    expect((await s.t.call(s.analyst.token, 'DELETE', `/v1/feedback/${s.a1.id}`)).status).toBe(403);
    expect((await s.t.call(s.alice.token, 'DELETE', `/v1/feedback/${s.a1.id}`)).status).toBe(200);
    expect((await s.t.call(s.alice.token, 'GET', `/v1/feedback/${s.a1.id}`)).status).toBe(404);
    expect((await s.t.call(s.admin.token, 'DELETE', `/v1/feedback/${s.b1.id}`)).status).toBe(200);
    expect((await s.t.call(s.analyst.token, 'GET', `/v1/feedback/${s.b1.id}`)).status).toBe(404);
    expect((await s.t.call(s.other.token, 'DELETE', `/v1/feedback/${s.a2.id}`)).status).toBe(404);
  });

  it('POST answers 201, then 200 unchanged on replay, 409 when older than what is stored', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const f = makeFeedback({ updatedAt: '2026-03-01T00:00:00.000Z' });
    expect((await t.call(token, 'POST', '/v1/feedback', f)).status).toBe(201);
    const again = await t.call(token, 'POST', '/v1/feedback', f);
    expect(again.status).toBe(200);
    expect((await again.json()).status).toBe('unchanged');
    const older = await t.call(token, 'POST', '/v1/feedback', { ...f, rating: { thumb: 'down' }, updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(older.status).toBe(409);
    expect((await older.json()).error.code).toBe('stale');
    const bad = await t.call(token, 'POST', '/v1/feedback', { ...f, id: 'not-a-uuid' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/id/);
  });
});

describe('request bodies', () => {
  it('a POST without any body is not refused as a wrong content type', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const res = await t.app.request('/v1/sync', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).not.toBe(415);
    expect(res.status).toBeLessThan(500);
  });
});
