import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';

async function setup() {
  const t = await createTestApp();
  const analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
  const rater = (await t.token('rater', { workspaceId: 'default' })).token;
  const outsider = (await t.token('admin', { workspaceId: 'elsewhere' })).token;
  const today = new Date().toISOString().slice(0, 10);
  await seedRatings(t.store, 'default', [
    ...Array.from({ length: 12 }, (_, i) => ({ rater: `r${i % 3}`, model: 'gpt', intent: 'code', thumb: (i < 9 ? 'up' : 'down') as 'up' | 'down', key: `t${i}`, day: today })),
    { rater: 'r9', model: 'gpt', intent: 'code', thumb: 'down', key: 't0', day: today },
    { rater: 'r1', model: 'claude', thumb: 'up', stars: 4, day: today, context: { latency_ms: 250 } },
  ]);
  return { t, analyst, rater, outsider };
}

describe('GET /v1/insights/*', () => {
  it('accuracy: per model with Wilson bounds, thin flag, best lower bound first', async () => {
    const { t, analyst } = await setup();
    const res = await t.call(analyst, 'GET', '/v1/insights/accuracy?groupBy=model');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.groups.map((g: { key: { model: string } }) => g.key.model)).toEqual(['gpt', 'claude']);
    expect(body.groups[0]).toMatchObject({ n: 13, up: 9, down: 4, thin: false });
    expect(body.groups[0].wilson.low).toBeGreaterThan(0.4);
    expect(body.groups[1]).toMatchObject({ n: 1, thin: true, meanStars: 4 });
    const byIntent = await (await t.call(analyst, 'GET', '/v1/insights/accuracy?groupBy=model,intent')).json();
    expect(byIntent.groups[0].key).toEqual({ model: 'gpt', intent: 'code' });
  });

  it('accuracy: rejects an unknown dimension with 422', async () => {
    const { t, analyst } = await setup();
    const res = await t.call(analyst, 'GET', '/v1/insights/accuracy?groupBy=model,colour');
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('validation_failed');
  });

  it('stats: 7, 30 or 90 days, with the previous window; other values are 422', async () => {
    const { t, analyst } = await setup();
    const body = await (await t.call(analyst, 'GET', '/v1/insights/stats?days=30')).json();
    expect(body.days).toBe(30);
    expect(body.series).toHaveLength(30);
    expect(body.current).toMatchObject({ ratings: 14, raters: 4, meanLatencyMs: 250 });
    expect(body.previous.ratings).toBe(0);
    expect((await t.call(analyst, 'GET', '/v1/insights/stats?days=5')).status).toBe(422);
  });

  it('agreement: alpha and the most disputed target', async () => {
    const { t, analyst } = await setup();
    const body = await (await t.call(analyst, 'GET', '/v1/insights/agreement')).json();
    expect(body.overall.targets).toBe(1);
    expect(body.disputed[0]).toMatchObject({ targetKey: 't0', raters: 2, up: 1, down: 1, disagreement: 1 });
  });

  it('needs the analyst role (a rater gets 403, no token 401) and sees only its workspace', async () => {
    const { t, rater, outsider } = await setup();
    for (const path of ['/v1/insights/accuracy', '/v1/insights/stats', '/v1/insights/agreement']) {
      const res = await t.call(rater, 'GET', path);
      expect(res.status, path).toBe(403);
      expect((await res.json()).error.code).toBe('forbidden');
      expect((await t.app.request(path)).status).toBe(401);
    }
    const other = await (await t.call(outsider, 'GET', '/v1/insights/accuracy')).json();
    expect(other.groups).toEqual([]);
  });
});
