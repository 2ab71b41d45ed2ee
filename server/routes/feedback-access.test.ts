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

describe('own ratings in one conversation (GET /v1/feedback?conversationId=)', () => {
  const inConversation = (conversationId: string, extra: Record<string, unknown> = {}) =>
    makeFeedback({ target: { ...makeFeedback().target, conversationId, ...extra } });

  it("a rater gets their own records in that conversation, never another rater's or another workspace's", async () => {
    const t = await createTestApp();
    const alice = await t.token('rater');
    const bob = await t.token('rater');
    const analyst = await t.token('analyst');
    // The same rater id in another workspace: still none of alice's records there.
    const aliceElsewhere = await t.token('rater', { workspaceId: 'team-b', raterId: alice.info.raterId });
    const mine = inConversation('conv-x');
    const mineOnClaude = inConversation('conv-x', { site: 'claude' });
    const mineElsewhere = inConversation('conv-y');
    const bobs = inConversation('conv-x');
    const otherWorkspace = inConversation('conv-x');
    for (const [tok, f] of [[alice, mine], [alice, mineOnClaude], [alice, mineElsewhere], [bob, bobs], [aliceElsewhere, otherWorkspace]] as const) {
      expect((await t.call(tok.token, 'POST', '/v1/feedback', f)).status).toBe(201);
    }
    const q = async (token: string, query: string) => {
      const res = await t.call(token, 'GET', `/v1/feedback?${query}`);
      expect(res.status).toBe(200);
      return ids(res);
    };
    expect(await q(alice.token, 'conversationId=conv-x')).toEqual([mine.id, mineOnClaude.id].sort());
    expect(await q(alice.token, 'conversationId=conv-x&site=chatgpt')).toEqual([mine.id]);
    expect(await q(alice.token, 'site=claude&conversationId=conv-x')).toEqual([mineOnClaude.id]);
    expect(await q(alice.token, 'conversationId=conv-y')).toEqual([mineElsewhere.id]);
    expect(await q(alice.token, 'conversationId=conv-z')).toEqual([]);
    expect(await q(alice.token, `conversationId=conv-x&rater=${bob.info.raterId}`)).toEqual([]);
    expect(await q(bob.token, 'conversationId=conv-x')).toEqual([bobs.id]);
    expect(await q(aliceElsewhere.token, 'conversationId=conv-x')).toEqual([otherWorkspace.id]);
    // Analysts read the whole workspace's conversation.
    expect(await q(analyst.token, 'conversationId=conv-x')).toEqual([mine.id, mineOnClaude.id, bobs.id].sort());
    // An empty value counts as absent.
    expect(await q(alice.token, 'conversationId=')).toEqual([mine.id, mineOnClaude.id, mineElsewhere.id].sort());
  });

  it('pages through the conversation and, asked for deletions, shows a re-vote from a second device as one live record', async () => {
    const t = await createTestApp();
    const laptop = await t.token('rater');
    const phone = await t.token('rater', { raterId: laptop.info.raterId });
    const votes = Array.from({ length: 5 }, () => inConversation('conv-p'));
    for (const f of votes) expect((await t.call(laptop.token, 'POST', '/v1/feedback', f)).status).toBe(201);
    const revote = makeFeedback({ target: votes[0]!.target, rating: { thumb: 'down' }, updatedAt: '2026-06-01T00:00:00.000Z' });
    expect((await t.call(phone.token, 'POST', '/v1/feedback', revote)).status).toBe(201);
    const seen: { id: string; deleted?: boolean }[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.call(phone.token, 'GET', `/v1/feedback?conversationId=conv-p&includeDeleted=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as { items: { id: string; deleted?: boolean }[]; nextCursor: string | null };
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.map((i) => i.id).sort()).toEqual([...votes.map((v) => v.id), revote.id].sort());
    expect(seen.filter((i) => i.deleted).map((i) => i.id)).toEqual([votes[0]!.id]);
    expect(await ids(await t.call(laptop.token, 'GET', '/v1/feedback?conversationId=conv-p'))).toEqual([...votes.slice(1).map((v) => v.id), revote.id].sort());
  });

  it('an unknown query parameter is 400 unknown_parameter naming the accepted ones', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const res = await t.call(token, 'GET', '/v1/feedback?conversationID=conv-x&limit=5');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['conversationID'] } });
    expect(body.error.details.accepted).toContain('conversationId');
    expect(body.error.details.accepted).toContain('includeDeleted');
    expect((await t.call(token, 'GET', `/v1/feedback?conversationId=${'x'.repeat(257)}`)).status).toBe(422);
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
