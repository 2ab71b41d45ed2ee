import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../app.ts';
import { createTestApp, makeFeedback } from '../../../test/helpers/app.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('rate limit per token', () => {
  it('answers 429 with Retry-After and the error shape once a token is over, per token, never on /healthz', async () => {
    // Windows are aligned to the clock's minutes: a run crossing one would start the counts again.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:05Z') });
    const t = await createTestApp();
    const app = createApp({ store: t.store, rateLimitPerMinute: 3 });
    const call = (token: string, path = '/v1/feedback') => app.request(path, { headers: { Authorization: `Bearer ${token}` } });
    const alice = (await t.token('rater')).token;
    const bob = (await t.token('rater')).token;

    for (let i = 0; i < 3; i++) {
      const res = await call(alice);
      expect(res.status).toBe(200);
      expect(res.headers.get('RateLimit-Remaining')).toBe(String(2 - i));
    }
    const limited = await call(alice);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // A write is refused too, and not applied.
    const f = makeFeedback();
    const post = await app.request('/v1/feedback', {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(f),
    });
    expect(post.status).toBe(429);
    expect(await t.store.db.selectFrom('feedback').select('id').where('id', '=', f.id).executeTakeFirst()).toBeUndefined();

    // Another token of the same workspace is not affected; health checks are never limited.
    expect((await call(bob)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await app.request('/healthz')).status).toBe(200);
    // Unauthenticated requests are 401, not counted against anyone.
    expect((await call('gt_nope')).status).toBe(401);
    await t.store.close();
  });

  it('is off at 0 and generous by default', async () => {
    const t = await createTestApp();
    const off = createApp({ store: t.store, rateLimitPerMinute: 0 });
    const token = (await t.token('rater')).token;
    for (let i = 0; i < 50; i++) {
      expect((await off.request('/v1/feedback', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    }
    const byDefault = await t.app.request('/v1/feedback', { headers: { Authorization: `Bearer ${token}` } });
    expect(Number(byDefault.headers.get('RateLimit-Limit'))).toBeGreaterThanOrEqual(600);
    await t.store.close();
  });
});
