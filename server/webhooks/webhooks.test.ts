/**
 * Webhooks through the real interface: the API on a real SQLite file, the worker sending real HTTP
 * to a receiver on 127.0.0.1 that verifies signatures the way a user's receiver would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { enqueueExportCompleted, feedbackEventsFor } from './outbox.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';
import { startWebhookWorker, type WebhookWorker } from './worker.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A receiver that answers with `statuses` in turn (the last one repeats); 'hang' never answers.
 * `arrived(n)` resolves once n requests came in (an event, not a wait with a deadline).
 */
async function receiver(statuses: (number | 'hang')[]) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      for (const w of waiting.filter((w) => received.length >= w.n)) w.resolve();
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      if (status === 'hang') return void hanging.push(res);
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    arrived: (n: number) => (received.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))),
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/**
 * The worker reads the time from Date: tests that retry freeze it and move it to the next attempt
 * themselves, then call runOnce(), instead of waiting real backoff delays.
 */
function freezeClock() {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  return { to: (iso: string) => vi.setSystemTime(new Date(iso)), by: (ms: number) => vi.setSystemTime(Date.now() + ms) };
}

/** A worker whose loop stays out of the way: the test sends what is due with runOnce(). */
const BY_HAND = { pollMs: 3_600_000 };

/** The receivers here listen on 127.0.0.1, which webhooks may only reach when the operator allows it. */
const LOCAL_RECEIVERS = { allowPrivate: true, allowedHosts: [] };

async function setup() {
  const t = await createTestApp({ webhookAddresses: LOCAL_RECEIVERS });
  cleanup.push(() => t.store.close());
  const admin = (await t.token('admin')).token;
  const rater = (await t.token('rater')).token;
  return { ...t, admin, rater };
}

function worker(t: Awaited<ReturnType<typeof setup>>, opts: Parameters<typeof startWebhookWorker>[1] = {}): WebhookWorker {
  const w = startWebhookWorker(t.store.db, { pollMs: 20, retryBaseMs: 50, maxDelayMs: 200, timeoutMs: 2000, addresses: LOCAL_RECEIVERS, ...opts });
  cleanup.push(() => w.stop());
  return w;
}

describe('webhook API', () => {
  it('lets admins create (secret shown once), list and delete; others get 403; bad input 422', async () => {
    const t = await setup();
    const analyst = (await t.token('analyst')).token;
    const body = { url: 'https://hooks.example.com/gt', events: ['feedback.negative', 'feedback.low_stars'], threshold: 3 };
    expect((await t.call(t.rater, 'POST', '/v1/webhooks', body)).status).toBe(403);
    expect((await t.call(analyst, 'GET', '/v1/webhooks')).status).toBe(403);

    const res = await t.call(t.admin, 'POST', '/v1/webhooks', body);
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ url: body.url, events: body.events, threshold: 3 });
    expect(created.secret).toMatch(/^whsec_/);

    const listed = await (await t.call(t.admin, 'GET', '/v1/webhooks')).json();
    expect(listed.items).toEqual([{ id: created.id, url: body.url, events: body.events, threshold: 3, createdAt: created.createdAt }]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    // Another workspace's admin sees nothing and cannot delete it.
    const otherAdmin = (await t.token('admin', { workspaceId: 'other' })).token;
    expect((await (await t.call(otherAdmin, 'GET', '/v1/webhooks')).json()).items).toEqual([]);
    expect((await t.call(otherAdmin, 'DELETE', `/v1/webhooks/${created.id}`)).status).toBe(404);
    expect((await t.call(otherAdmin, 'GET', `/v1/webhooks/${created.id}/deliveries`)).status).toBe(404);

    for (const bad of [
      { ...body, url: 'ftp://x.example/hook' },
      { ...body, url: 'not a url' },
      { ...body, events: [] },
      { ...body, events: ['feedback.positive'] },
      { ...body, threshold: 5 },
    ]) {
      const r = await t.call(t.admin, 'POST', '/v1/webhooks', bad);
      expect(r.status, JSON.stringify(bad)).toBe(422);
      expect((await r.json()).error.code).toBe('validation_failed');
    }

    expect((await t.call(t.admin, 'DELETE', `/v1/webhooks/${created.id}`)).status).toBe(200);
    expect((await t.call(t.admin, 'DELETE', `/v1/webhooks/${created.id}`)).status).toBe(404);
    expect((await (await t.call(t.admin, 'GET', '/v1/webhooks')).json()).items).toEqual([]);
  });
});

describe('which changes raise events', () => {
  const row = (over: Record<string, unknown>) =>
    ({ id: 'f', workspace_id: 'w', rater_id: 'r', deleted: 0, record: '{}', thumb: null, stars: null, ...over }) as never;
  const hook = { events: JSON.stringify(['feedback.negative', 'feedback.low_stars']), threshold: null };

  it('fire when a vote becomes negative or low, not on later edits, not for deletes', () => {
    expect(feedbackEventsFor({ before: null, after: row({ thumb: 'down' }) }, hook)).toEqual(['feedback.negative']);
    expect(feedbackEventsFor({ before: row({ thumb: 'up' }), after: row({ thumb: 'down' }) }, hook)).toEqual(['feedback.negative']);
    expect(feedbackEventsFor({ before: row({ thumb: 'down' }), after: row({ thumb: 'down' }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: row({ thumb: 'down' }), after: row({ thumb: 'down', deleted: 1 }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: null, after: row({ thumb: 'up' }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: null, after: row({ stars: 2 }) }, hook)).toEqual(['feedback.low_stars']);
    expect(feedbackEventsFor({ before: null, after: row({ stars: 3 }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: null, after: row({ stars: 3 }) }, { ...hook, threshold: 3 })).toEqual(['feedback.low_stars']);
    expect(feedbackEventsFor({ before: row({ stars: 1 }), after: row({ stars: 2 }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: null, after: row({ thumb: 'down', stars: 1 }) }, { ...hook, events: '["feedback.low_stars"]' })).toEqual([
      'feedback.low_stars',
    ]);
  });

  it('a judge\'s rating (source.type model) raises none; a person\'s does', () => {
    const judged = (over: Record<string, unknown>) => row({ source_type: 'model', source_name: 'gpt-judge', ...over });
    expect(feedbackEventsFor({ before: null, after: judged({ thumb: 'down' }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: null, after: judged({ stars: 1 }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: judged({ thumb: 'up' }), after: judged({ thumb: 'down' }) }, hook)).toEqual([]);
    expect(feedbackEventsFor({ before: null, after: row({ source_type: 'human', thumb: 'down' }) }, hook)).toEqual(['feedback.negative']);
  });
});

describe('webhook deliveries', () => {
  it('are signed, retried with backoff after failures, and logged per webhook', async () => {
    const t = await setup();
    const rx = await receiver([500, 503, 200]);
    cleanup.push(rx.close);
    const { id, secret } = await (await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['feedback.negative'] })).json();

    const feedback = makeFeedback({ rating: { thumb: 'down' }, comment: 'wrong: the answer is 5' });
    expect((await t.call(t.rater, 'POST', '/v1/feedback', feedback)).status).toBe(201);
    // An up vote raises nothing.
    expect((await t.call(t.rater, 'POST', '/v1/feedback', makeFeedback())).status).toBe(201);

    const clock = freezeClock();
    const w = worker(t, { ...BY_HAND, random: () => 0.5 });
    const deliveries = async () => (await (await t.call(t.admin, 'GET', `/v1/webhooks/${id}/deliveries`)).json()).items;
    const nextAt: number[] = [];
    for (const status of [500, 503]) {
      expect(await w.runOnce()).toBe(1);
      const [d] = await deliveries();
      expect(d).toMatchObject({ status: 'pending', lastStatusCode: status });
      // Not due again before its backoff has passed.
      expect(await w.runOnce()).toBe(0);
      nextAt.push(Date.parse(d.nextAttemptAt));
      clock.to(d.nextAttemptAt);
    }
    expect(await w.runOnce()).toBe(1);
    clock.by(86_400_000);
    expect(await w.runOnce()).toBe(0); // delivered: never sent again
    expect(rx.received).toHaveLength(3);
    vi.useRealTimers(); // the signatures are checked at the time they were made, not a day later

    for (const r of rx.received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-groundtruth-event']).toBe('feedback.negative');
      const check = verifySignature(r.headers[SIGNATURE_HEADER.toLowerCase()] as string, r.body, secret);
      expect(check).toMatchObject({ ok: true });
      // A forged body does not verify with the same header.
      expect(verifySignature(r.headers[SIGNATURE_HEADER.toLowerCase()] as string, r.body.replace('5', '6'), secret).ok).toBe(false);
    }
    // The same delivery (same id, same bytes) every attempt.
    expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);
    const payload = JSON.parse(rx.received[0]!.body);
    expect(payload).toMatchObject({ type: 'feedback.negative', workspaceId: 'default', data: { feedback: { id: feedback.id, comment: 'wrong: the answer is 5', rating: { thumb: 'down' } } } });
    expect(rx.received[0]!.headers['x-groundtruth-delivery']).toBe(payload.id);

    const log = await deliveries();
    expect(log).toHaveLength(1);
    const d = log[0];
    expect(d).toMatchObject({ id: payload.id, event: 'feedback.negative', status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });
    expect(d.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 503, 200]);
    expect(d.log[0].error).toBe('HTTP 500');
    // Backoff with equal jitter (retryBaseMs 50, doubling): half the delay fixed, half random.
    const at = d.log.map((a: { at: string }) => Date.parse(a.at));
    expect(nextAt[0]! - at[0]).toBeGreaterThanOrEqual(25);
    expect(nextAt[0]! - at[0]).toBeLessThanOrEqual(50);
    expect(nextAt[1]! - at[1]).toBeGreaterThanOrEqual(50);
    expect(nextAt[1]! - at[1]).toBeLessThanOrEqual(100);
    expect(at[1] - at[0]).toBe(nextAt[0]! - at[0]);
  });

  it('give up after the last attempt and say why', async () => {
    const t = await setup();
    const rx = await receiver([410]);
    cleanup.push(rx.close);
    const { id } = await (await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['feedback.low_stars'] })).json();
    await t.call(t.rater, 'POST', '/v1/feedback', makeFeedback({ rating: { stars: 1 } }));
    const clock = freezeClock();
    const w = worker(t, { ...BY_HAND, maxAttempts: 3 });
    const delivery = async () => (await (await t.call(t.admin, 'GET', `/v1/webhooks/${id}/deliveries`)).json()).items[0];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await w.runOnce()).toBe(1);
      const d = await delivery();
      expect(d.attempts).toBe(attempt);
      if (attempt < 3) clock.to(d.nextAttemptAt);
    }
    expect(await delivery()).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 410, lastError: 'HTTP 410', nextAttemptAt: null });
    clock.by(86_400_000);
    expect(await w.runOnce()).toBe(0);
    expect(rx.received).toHaveLength(3);
  });

  it('deliver export.completed for the exports module', async () => {
    const t = await setup();
    const rx = await receiver([200]);
    cleanup.push(rx.close);
    const { secret } = await (await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['export.completed'] })).json();
    await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['feedback.negative'] });
    expect(await enqueueExportCompleted(t.store.db, 'default', { runId: 'run-1', format: 'openai-sft', rows: 42 })).toBe(1);
    expect(await enqueueExportCompleted(t.store.db, 'other', { runId: 'run-2' })).toBe(0);
    const w = worker(t, { pollMs: 60_000 });
    expect(await w.runOnce()).toBe(1);
    expect(rx.received).toHaveLength(1);
    expect(verifySignature(rx.received[0]!.headers['x-groundtruth-signature'] as string, rx.received[0]!.body, secret).ok).toBe(true);
    expect(JSON.parse(rx.received[0]!.body)).toMatchObject({ type: 'export.completed', data: { runId: 'run-1', format: 'openai-sft', rows: 42 } });
  });

  it('are queued by a real export when its run completes', async () => {
    const t = await setup();
    const rx = await receiver([200]);
    cleanup.push(rx.close);
    await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['export.completed'] });
    const res = await t.call(t.admin, 'GET', '/v1/exports/jsonl');
    expect(res.status).toBe(200);
    await res.text();
    const runId = res.headers.get('X-Groundtruth-Export-Run');
    expect(runId).toBeTruthy();
    const w = worker(t, { pollMs: 60_000 });
    expect(await w.runOnce()).toBe(1);
    expect(JSON.parse(rx.received[0]!.body)).toMatchObject({ type: 'export.completed', data: { exportRunId: runId, format: 'jsonl' } });
  });

  it('never slow ingestion down when the receiver hangs', async () => {
    const t = await setup();
    const rx = await receiver(['hang']);
    cleanup.push(rx.close);
    const { id } = await (await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['feedback.negative'] })).json();
    // An attempt times out only after longer than this test may run: a delivery on the request
    // path would hold the first negative vote until the test times out (no wall-clock budget).
    worker(t, { timeoutMs: 3_600_000, pollMs: 10, retryBaseMs: 60_000 });

    for (let i = 0; i < 30; i++) {
      const res = await t.call(t.rater, 'POST', '/v1/feedback', makeFeedback({ rating: { thumb: 'down' } }));
      expect(res.status).toBe(201);
      if (i === 0) await rx.arrived(1); // the receiver is now holding a request open
    }
    // Meanwhile the worker keeps sending (in parallel, up to its concurrency of 8) to the hanging receiver.
    await rx.arrived(8);
    const log = await (await t.call(t.admin, 'GET', `/v1/webhooks/${id}/deliveries?limit=200`)).json();
    expect(log.items).toHaveLength(30);
  });

  it('record an attempt the receiver never answers as timed out, and keep it for a retry', async () => {
    const t = await setup();
    const rx = await receiver(['hang']);
    cleanup.push(rx.close);
    const { id } = await (await t.call(t.admin, 'POST', '/v1/webhooks', { url: rx.url, events: ['feedback.negative'] })).json();
    await t.call(t.rater, 'POST', '/v1/feedback', makeFeedback({ rating: { thumb: 'down' } }));
    const w = worker(t, { ...BY_HAND, timeoutMs: 100 });
    // runOnce resolves when the attempt is recorded: here, when its timeout fired.
    expect(await w.runOnce()).toBe(1);
    expect(rx.received).toHaveLength(1);
    const [d] = (await (await t.call(t.admin, 'GET', `/v1/webhooks/${id}/deliveries`)).json()).items;
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'timed out after 100 ms' });
    expect(Date.parse(d.nextAttemptAt)).toBeGreaterThan(Date.parse(d.log[0].at));
  });
});
