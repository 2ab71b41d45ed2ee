/**
 * The popup's "N to review", from the background against the real server app: the sum of
 * `toReview` over the rater's open queues from GET /v1/queues, each linked to its dashboard page
 * on the configured server URL; nothing asked of a server that does not advertise `queues`, nor
 * without a token or host permission; the `get-to-review` message only for the extension's pages.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { createTestApp } from '../../test/helpers/app.ts';
import { testOutbox } from '../outbox/test-db.ts';
import { VisitQueue } from '../outbox/visits.ts';
import type { Fetch } from '../sync/http.ts';
import { SyncScheduler } from '../sync/scheduler.ts';
import { createMessageHandler, MessageError } from './handlers.ts';
import { saveRemoteConfig, saveSettings, type KeyValueArea } from './settings.ts';
import { queuePageUrl, toReviewReader } from './to-review.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const SERVER = 'http://127.0.0.1:8787/';
const EXT = 'chrome-extension://abcdefghijklmnop/';

let t: TestApp;
let storage: KeyValueArea;
let alice: string;
let analyst: string;
let requests: string[];
const appFetch: Fetch = async (url, init) => {
  requests.push(new URL(url).pathname);
  return t.app.request(url, init);
};

async function queue(name: string, keys: string[], assignees?: string[]) {
  const res = await t.call(analyst, 'POST', '/v1/queues', { name, itemKeys: keys, reviewersPerItem: 1, ...(assignees ? { assignees } : {}) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The config as the extension stores it, read from this server (its real capabilities). */
async function fetchConfig(token: string) {
  const res = await t.call(token, 'GET', '/v1/extension-config');
  await saveRemoteConfig(storage, await res.json());
}

beforeEach(async () => {
  fakeBrowser.reset();
  t = await createTestApp();
  requests = [];
  storage = fakeBrowser.storage.local as unknown as KeyValueArea;
  alice = (await t.token('rater', { raterId: 'alice', name: 'alice' })).token;
  await t.token('rater', { raterId: 'bob', name: 'bob' });
  analyst = (await t.token('analyst', { name: 'ana' })).token;
  const pipeline = (await t.token('rater', { raterId: 'pipeline' })).token;
  const items = ['a', 'b', 'c', 'd'].map((key) => ({ key, kind: 'error_analysis', output: `analysis ${key}` }));
  expect((await t.call(pipeline, 'POST', '/v1/items', { items })).status).toBe(200);
  await saveSettings(storage, { serverUrl: SERVER, token: alice });
});
afterEach(async () => {
  await t?.store.close();
});

describe('to review', () => {
  it('sums toReview over the rater\'s open queues and links each to its dashboard page', async () => {
    const q1 = await queue('Daily errors', ['a', 'b', 'c'], ['alice']);
    const q2 = await queue('Open to all', ['d']);
    await queue('Not for Alice', ['a'], ['bob']);
    await fetchConfig(alice);
    const answer = await toReviewReader({ fetch: appFetch, storage, mayReach: async () => true })();
    expect(answer).not.toBeNull();
    expect(answer!.total).toBe(4);
    expect(answer!.queues.map((q) => [q.name, q.toReview, q.url]).sort()).toEqual(
      [
        ['Daily errors', 3, `http://127.0.0.1:8787/dashboard/queues/${encodeURIComponent(q1)}`],
        ['Open to all', 1, `http://127.0.0.1:8787/dashboard/queues/${encodeURIComponent(q2)}`],
      ].sort(),
    );
  });

  it('nothing to review: total 0 and no queue (the popup hides the line)', async () => {
    await queue('Not for Alice', ['a'], ['bob']);
    await fetchConfig(alice);
    expect(await toReviewReader({ fetch: appFetch, storage, mayReach: async () => true })()).toEqual({ total: 0, queues: [] });
  });

  it('asks nothing of a server without the `queues` capability, nor without a token or permission', async () => {
    await queue('Daily errors', ['a'], ['alice']);
    const reader = toReviewReader({ fetch: appFetch, storage, mayReach: async () => true });
    expect(await reader()).toBeNull(); // no config fetched yet: nothing advertised
    const res = await t.call(alice, 'GET', '/v1/extension-config');
    const older = await res.json();
    expect(older.capabilities).toContain('queues');
    await saveRemoteConfig(storage, { ...older, capabilities: older.capabilities.filter((c: string) => c !== 'queues') });
    expect(await reader()).toBeNull();
    expect(requests).toEqual([]);
    await saveRemoteConfig(storage, older);
    expect(await toReviewReader({ fetch: appFetch, storage, mayReach: async () => false })()).toBeNull();
    await saveSettings(storage, { token: '' });
    expect(await reader()).toBeNull();
    expect(requests).toEqual([]);
  });

  it('offline or refused: null, no throw', async () => {
    await fetchConfig(alice);
    const offline: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await toReviewReader({ fetch: offline, storage, mayReach: async () => true })()).toBeNull();
    await saveSettings(storage, { token: 'gt_not_a_token' });
    expect(await toReviewReader({ fetch: appFetch, storage, mayReach: async () => true })()).toBeNull();
  });

  it('get-to-review is answered to the extension\'s pages only', async () => {
    await queue('Daily errors', ['a', 'b'], ['alice']);
    await fetchConfig(alice);
    const outbox = testOutbox();
    const scheduler = new SyncScheduler({ outbox, run: vi.fn(async () => ({ sent: 0, synced: 0, rejected: 0, changed: [] }) as never), soonDelayMs: 60_000 });
    const handle = createMessageHandler({
      outbox,
      scheduler,
      storage,
      extensionOrigin: EXT,
      broadcast: async () => {},
      testConnection: async () => ({ ok: true, message: '' }) as never,
      visits: new VisitQueue(outbox.db),
      pullOwnRatings: async () => [],
      toReview: toReviewReader({ fetch: appFetch, storage, mayReach: async () => true }),
    });
    expect(await handle({ type: 'get-to-review' }, { url: `${EXT}popup.html` })).toMatchObject({ total: 2 });
    await expect(handle({ type: 'get-to-review' }, { url: 'https://chatgpt.com/c/1', tab: { id: 1, url: 'https://chatgpt.com/c/1' } })).rejects.toThrow(MessageError);
  });

  it('queuePageUrl: the configured server, without a trailing slash, and the id escaped', () => {
    expect(queuePageUrl('https://gt.example.com/', 'q/1 x')).toBe('https://gt.example.com/dashboard/queues/q%2F1%20x');
  });
});
