import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { createApp } from '../app.ts';
import { parsePrometheusText, valueOf, type Sample } from './prom-text.ts';
import { metricsApp } from './routes.ts';
import { foldModels, TOP_MODELS, windowSince } from './scrape.ts';
import { startWebhookWorker } from '../webhooks/worker.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;

async function scrape(t: T, admin: string): Promise<Sample[]> {
  const res = await t.call(admin, 'GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text()).samples;
}

const recent = (minutesAgo: number, overrides: Record<string, unknown> = {}) => {
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return makeFeedback({ createdAt: at, updatedAt: at, ...overrides });
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('GET /metrics', () => {
  it('needs an admin token on the API port', async () => {
    const t = await createTestApp();
    expect((await t.app.request('/metrics')).status).toBe(401);
    const { token: rater } = await t.token('rater');
    expect((await t.call(rater, 'GET', '/metrics')).status).toBe(403);
    const { token: admin } = await t.token('admin');
    const text = await (await t.call(admin, 'GET', '/metrics')).text();
    const { types } = parsePrometheusText(text);
    for (const name of types.keys()) expect(name).toMatch(/^groundtruth_/);
    for (const name of ['groundtruth_http_requests_total', 'groundtruth_http_request_duration_seconds', 'groundtruth_mutations_total', 'groundtruth_process_cpu_seconds_total']) {
      expect(types.has(name), name).toBe(true);
    }
    await t.store.close();
  });

  it('with METRICS_PORT: 404 on the API port, served without a token by the metrics listener', async () => {
    vi.stubEnv('METRICS_PORT', '9464');
    const t = await createTestApp();
    const app = createApp({ store: t.store });
    const { token: admin } = await t.token('admin');
    expect((await app.request('/metrics', { headers: { Authorization: `Bearer ${admin}` } })).status).toBe(404);
    const res = await metricsApp(t.store).request('/metrics');
    expect(res.status).toBe(200);
    expect(parsePrometheusText(await res.text()).samples.length).toBeGreaterThan(0);
    expect((await metricsApp(t.store).request('/v1/feedback')).status).toBe(404);
    await t.store.close();
  });

  it('counts exactly the requests made, by route template and status, and mutations by result and source', async () => {
    const t = await createTestApp();
    const { token: admin } = await t.token('admin');
    const { token: rater } = await t.token('rater');
    const before = await scrape(t, admin);
    const a = recent(5);
    const b = recent(4);
    for (let i = 0; i < 3; i++) expect((await t.app.request('/healthz')).status).toBe(200);
    expect((await t.call(rater, 'POST', '/v1/sync', { clientId: 'c1', mutations: [upsert(a), upsert(b)] })).status).toBe(200);
    expect((await t.call(rater, 'POST', '/v1/sync', { clientId: 'c1', mutations: [upsert(a), { id: 'x', op: 'upsert' }] })).status).toBe(200);
    expect((await t.call(rater, 'GET', `/v1/feedback/${a.id}`)).status).toBe(200);
    expect((await t.call(rater, 'GET', `/v1/feedback/${b.id}`)).status).toBe(200);
    expect((await t.app.request('/no/such/path')).status).toBe(404);
    const after = await scrape(t, admin);
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    const req = 'groundtruth_http_requests_total';
    expect(delta(req, { route: '/healthz', status: '200', method: 'GET' })).toBe(3);
    expect(delta(req, { route: '/v1/sync', status: '200', method: 'POST' })).toBe(2);
    // The template, never the raw path (no record id in any label).
    expect(delta(req, { route: '/v1/feedback/:id', status: '200', method: 'GET' })).toBe(2);
    expect(delta(req, { route: 'unmatched', status: '404' })).toBe(1);
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(a.id) || v.includes('/no/such')))).toBe(false);
    expect(delta('groundtruth_http_request_duration_seconds_count', { route: '/healthz' })).toBe(3);
    expect(delta('groundtruth_mutations_total', { source: 'extension', result: 'applied' })).toBe(2);
    expect(delta('groundtruth_mutations_total', { source: 'extension', result: 'unchanged' })).toBe(1);
    expect(delta('groundtruth_mutations_total', { source: 'extension', result: 'rejected' })).toBe(1);
    expect(delta('groundtruth_sync_batch_size_count', {})).toBe(2);
    expect(delta('groundtruth_sync_batch_size_sum', {})).toBe(4);
    await t.store.close();
  });

  it('counts program mutations and rate-limit refusals', async () => {
    // Windows are aligned to clock minutes: a slow run crossing one would start the counts again.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:05Z') });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const t = await createTestApp({ rateLimitPerMinute: 4 });
    const { token: admin } = await t.token('admin');
    const { token: rater } = await t.token('rater');
    const before = await scrape(t, admin);
    const f = recent(3);
    const posted = await t.call(rater, 'POST', '/v1/feedback', f);
    expect(posted.status).toBe(201);
    const dropIn = await t.app.request('/api/v1/feedback/conv-1', { method: 'POST', headers: { Authorization: `Bearer ${rater}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ score: 4 }) });
    expect(dropIn.status).toBe(200);
    let refused = 0;
    for (let i = 0; i < 4; i++) if ((await t.call(rater, 'GET', `/v1/feedback/${f.id}`)).status === 429) refused++;
    expect(refused).toBeGreaterThan(0);
    const after = await scrape(t, admin);
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('groundtruth_mutations_total', { source: 'program', result: 'applied' })).toBe(1);
    expect(delta('groundtruth_mutations_total', { source: 'drop-in', result: 'applied' })).toBe(1);
    expect(delta('groundtruth_rate_limit_refusals_total', {})).toBe(refused);
    await t.store.close();
  });

  it('feedback gauges equal /v1/insights/accuracy over the same 7 days, hostile model names escaped', async () => {
    const t = await createTestApp();
    const { token: admin, info: { workspaceId } } = await t.token('admin');
    const { token: rater } = await t.token('rater');
    const hostileModel = 'm"od\\el\nx{le}="1"';
    const records = [
      recent(10, { rating: { thumb: 'up' } }),
      recent(11, { rating: { thumb: 'down' } }),
      recent(12, { rating: { thumb: 'up' } }),
      recent(13, { rating: { stars: 4 } }),
      recent(14, { target: { ...makeFeedback().target, model: hostileModel }, rating: { thumb: 'down' } }),
      // Outside the window: not counted.
      makeFeedback({ createdAt: '2020-01-01T00:00:00.000Z', updatedAt: '2020-01-01T00:00:00.000Z' }),
    ];
    expect((await t.call(rater, 'POST', '/v1/sync', { clientId: 'c', mutations: records.map(upsert) })).status).toBe(200);
    const samples = await scrape(t, admin);
    const res = await t.call(admin, 'GET', `/v1/insights/accuracy?since=${encodeURIComponent(windowSince())}`);
    expect(res.status).toBe(200);
    const { groups } = (await res.json()) as { groups: { key: { model: string | null }; ratings: number; up: number; down: number; shareUp: number | null }[] };
    expect(groups.length).toBe(2);
    for (const g of groups) {
      const labels = { workspace: workspaceId, model: g.key.model ?? '' };
      expect(valueOf(samples, 'groundtruth_feedback_ratings_7d', labels)).toBe(g.ratings);
      expect(valueOf(samples, 'groundtruth_feedback_thumbs_7d', { ...labels, thumb: 'up' })).toBe(g.up);
      expect(valueOf(samples, 'groundtruth_feedback_thumbs_7d', { ...labels, thumb: 'down' })).toBe(g.down);
      expect(valueOf(samples, 'groundtruth_feedback_share_up_7d', labels)).toBeCloseTo(g.shareUp!, 12);
    }
    expect(valueOf(samples, 'groundtruth_feedback_ratings_7d', { model: 'gpt-5' })).toBe(4);
    expect(valueOf(samples, 'groundtruth_feedback_share_up_7d', { model: hostileModel })).toBe(0);
    await t.store.close();
  });

  it('counts webhook deliveries by outcome and shows the queue depth', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.url === '/ok' ? 200 : 500).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const local = { allowPrivate: true, allowedHosts: [] };
    const t = await createTestApp({ webhookAddresses: local });
    const { token: admin } = await t.token('admin');
    const { token: rater } = await t.token('rater');
    for (const path of ['/ok', '/bad']) expect((await t.call(admin, 'POST', '/v1/webhooks', { url: base + path, events: ['feedback.negative'] })).status).toBe(201);
    const before = await scrape(t, admin);
    expect((await t.call(rater, 'POST', '/v1/feedback', recent(1, { rating: { thumb: 'down' } }))).status).toBe(201);
    const queued = await scrape(t, admin);
    expect(valueOf(queued, 'groundtruth_webhook_queue_depth')).toBe(2);
    const worker = startWebhookWorker(t.store.db, { pollMs: 3_600_000, maxAttempts: 1, addresses: local });
    expect(await worker.runOnce()).toBe(2);
    await worker.stop();
    const after = await scrape(t, admin);
    const delta = (outcome: string) => valueOf(after, 'groundtruth_webhook_deliveries_total', { outcome }) - valueOf(before, 'groundtruth_webhook_deliveries_total', { outcome });
    expect([delta('delivered'), delta('failed'), delta('retry')]).toEqual([1, 1, 0]);
    expect(valueOf(after, 'groundtruth_webhook_queue_depth')).toBe(0);
    server.close();
    await t.store.close();
  });

  it('keeps the 50 busiest models and folds the rest into other', () => {
    const groups = Array.from({ length: TOP_MODELS + 3 }, (_, i) => ({
      key: { model: `m${String(i).padStart(2, '0')}` }, ratings: 100 - i, up: 1, down: 1, n: 2, shareUp: 0.5, wilson: { low: 0, high: 1 }, meanStars: null, starsN: 0, thin: true,
    }));
    const folded = foldModels(groups);
    expect(folded.length).toBe(TOP_MODELS + 1);
    expect(folded.at(-1)).toEqual({ model: 'other', ratings: (100 - 50) + (100 - 51) + (100 - 52), up: 3, down: 3 });
    expect(folded.some((m) => m.model === 'm50')).toBe(false);
    expect(foldModels(groups.slice(0, 5)).length).toBe(5);
  });
});
