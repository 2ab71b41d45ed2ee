/** When syncs happen, with fake timers and the real server app behind a switchable front door. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import type { Target } from '../../shared/schemas.ts';
import { testOutbox } from '../outbox/test-db.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { syncOnce } from './client.ts';
import type { Fetch } from './http.ts';
import { SyncScheduler, type LastSync } from './scheduler.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const target = (key: string): Target => ({ kind: 'chat_response', key, site: 'chatgpt', output: 'an answer' });

let t: TestApp;
let outbox: Outbox;
let scheduler: SyncScheduler;
/** What the "network" does now: pass to the real app, or answer like a struggling server. */
let mode: 'up' | 'down' | '503' | '429';
let posts: number;
/** Runs finished (reported). */
let reports: number;

const front: Fetch = async (url, init) => {
  if (init?.method === 'POST') posts++;
  if (process.env.DBG) console.log('fetch', mode, Date.now(), init?.method, url, new Error().stack?.split('\n').slice(2, 9).join(' / '));
  if (mode === 'down') throw new TypeError('fetch failed');
  if (mode === '503') return new Response('unavailable', { status: 503 });
  if (mode === '429') return Response.json({ error: { code: 'rate_limited', message: 'slow down' } }, { status: 429, headers: { 'Retry-After': '20' } });
  return t.app.request(url, init);
};

/** Lets fake-indexeddb and the server (real timers, setImmediate) finish what the fake clock started. */
async function settle(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2026-02-01T10:00:00Z'));
  t = await createTestApp();
  const { token } = await t.token('rater');
  outbox = testOutbox();
  mode = 'up';
  posts = 0;
  reports = 0;
  scheduler = new SyncScheduler({
    outbox,
    run: (options) => syncOnce({ outbox, fetch: front, getServer: async () => ({ serverUrl: 'http://gt.test', token }) }, options),
    backoff: { random: () => 0.5 },
    onReport: (r) => { reports++; if (process.env.DBG) console.log('report', Date.now(), JSON.stringify(r)); },
  });
});
afterEach(async () => {
  scheduler.dispose();
  await scheduler.idle();
  vi.useRealTimers();
  await t.store.close();
});

describe('SyncScheduler', () => {
  it('syncs once, soon after a burst of ratings', async () => {
    for (const k of ['a', 'b', 'c']) {
      await outbox.save({ target: target(k), rating: { thumb: 'up' } });
      scheduler.soon();
      await settle(300);
    }
    expect(posts).toBe(0);
    await settle(1000);
    await until(async () => (await outbox.counts()).synced === 3);
    expect(posts).toBe(1);
  });

  it('backs off exponentially on 503 and network errors, then catches up', async () => {
    await outbox.save({ target: target('a'), rating: { thumb: 'down' } });
    mode = '503';
    const first = await scheduler.trigger('startup');
    expect(first?.failure?.kind).toBe('server-error');
    expect(posts).toBe(1);
    mode = 'down';
    // random = 0.5: waits of 750 ms, 1.5 s, 3 s (three quarters of 1, 2, 4 s).
    await settle(749);
    expect(posts).toBe(1);
    await settle(1);
    await until(async () => reports === 2);
    expect(posts).toBe(2);
    await settle(1499);
    expect(posts).toBe(2);
    await settle(1);
    await until(async () => reports === 3);
    expect(posts).toBe(3);
    const last = (await scheduler.lastSync()) as LastSync;
    expect(last).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(last.nextAttemptAt! - last.at).toBe(3000);

    mode = 'up';
    await settle(3000);
    await until(async () => reports === 4);
    expect(await outbox.counts()).toMatchObject({ pending: 0, synced: 1 });
    expect(posts).toBe(4);
    expect(await scheduler.lastSync()).toMatchObject({ ok: true, synced: 1 });
    // Success resets the backoff: the next failure waits the first step again.
    await outbox.save({ target: target('b'), rating: { thumb: 'up' } });
    mode = '503';
    await scheduler.trigger('rating');
    const again = (await scheduler.lastSync()) as LastSync;
    expect(again.nextAttemptAt! - again.at).toBe(750);
  });

  it('honours Retry-After on 429, and a rating meanwhile does not jump the queue', async () => {
    await outbox.save({ target: target('a'), rating: { thumb: 'up' } });
    mode = '429';
    await scheduler.trigger('alarm');
    expect(posts).toBe(1);
    mode = 'up';
    await outbox.save({ target: target('b'), rating: { thumb: 'up' } });
    scheduler.soon();
    await settle(19_000);
    expect(posts).toBe(1);
    expect(await scheduler.trigger('alarm')).toBeUndefined();
    await settle(1_000);
    await until(async () => (await outbox.counts()).synced === 2);
    expect(posts).toBe(2);
  });

  it('"Sync now" ignores the backoff', async () => {
    await outbox.save({ target: target('a'), rating: { thumb: 'up' } });
    mode = '429';
    await scheduler.trigger('rating');
    mode = 'up';
    const report = await scheduler.trigger('sync-now');
    expect(report).toMatchObject({ ok: true, synced: 1, configFetched: true });
  });

  it('an alarm with nothing pending and a fresh config does nothing; a stale config is fetched', async () => {
    await scheduler.trigger('startup');
    expect(await scheduler.trigger('alarm')).toBeUndefined();
    await settle(5 * 60_000 + 1);
    const report = await scheduler.trigger('alarm');
    expect(report).toMatchObject({ ok: true, sent: 0, configFetched: true });
  });

  it('folds triggers that arrive during a run into one next run', async () => {
    await outbox.save({ target: target('a'), rating: { thumb: 'up' } });
    const running = scheduler.trigger('startup');
    // Not started yet: a second trigger joins it.
    expect(scheduler.trigger('rating')).toBe(running);
    await until(async () => posts === 1);
    const a = scheduler.trigger('alarm');
    const b = scheduler.trigger('sync-now');
    expect(a).toBe(b);
    expect(a).not.toBe(running);
    await running;
    const second = await b;
    expect(second).toMatchObject({ ok: true, sent: 0 });
    expect(posts).toBe(1);
  });
});
