/**
 * Extra criteria in the background (docs/decisions/0030-criteria.md), with the real outbox
 * (fake-indexeddb), WXT's fake storage and the real server app: content scripts get the published
 * criteria only from a server that takes them; a rating of a criterion is a record of its own in a
 * row of its own, synced only to such a server; own ratings pulled back land in their own rows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { createTestApp } from '../../test/helpers/app.ts';
import type { Target } from '../../shared/schemas.ts';
import { criterionRowKey } from '../criterion-key.ts';
import { VisitQueue } from '../outbox/visits.ts';
import { testOutbox } from '../outbox/test-db.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { syncOnce } from '../sync/client.ts';
import type { Fetch } from '../sync/http.ts';
import { SyncScheduler } from '../sync/scheduler.ts';
import { testConnection } from './connection.ts';
import { createMessageHandler, type MessageSender } from './handlers.ts';
import { ownRatingsPuller } from './own-ratings.ts';
import { loadRemoteConfig, loadSettings, saveRemoteConfig, saveSettings, serverCan, type KeyValueArea } from './settings.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const EXT = 'chrome-extension://abcdefghijklmnop/';
const page: MessageSender = { url: 'https://chatgpt.com/c/abc', tab: { id: 7, url: 'https://chatgpt.com/c/abc' } };
const popup: MessageSender = { url: `${EXT}popup.html` };
const target: Target = { kind: 'chat_response', key: 'chatgpt.com:answer-1', site: 'chatgpt.com', conversationId: 'conv-1', prompt: 'Capital of Australia?', output: 'Sydney' };

const REMOTE = (capabilities: string[], criteria: unknown[] = []) => ({
  config: { rules: [], disabledAdapters: [], selectorPacks: {}, criteria },
  updatedAt: '2026-11-30T00:00:00.000Z',
  version: 2,
  capabilities,
  caller: { workspaceId: 'default', role: 'rater' as const, name: 'alice' },
});
const CORRECTNESS = { name: 'correctness', label: 'Correct?', scale: 'thumbs' };

let t: TestApp;
let token: string;
let outbox: Outbox;
let scheduler: SyncScheduler;
let storage: KeyValueArea;
let handle: ReturnType<typeof createMessageHandler>;
const appFetch: Fetch = async (url, init) => t.app.request(url, init);
const sync = (o = {}) =>
  syncOnce({ outbox, fetch: appFetch, getServer: () => loadSettings(storage), takesCriteria: async () => serverCan(await loadRemoteConfig(storage), 'criteria') }, { fetchConfig: false, ...o });

beforeEach(async () => {
  fakeBrowser.reset();
  t = await createTestApp();
  token = (await t.token('rater', { name: 'alice' })).token;
  outbox = testOutbox();
  storage = fakeBrowser.storage.local as unknown as KeyValueArea;
  await saveSettings(storage, { serverUrl: 'http://127.0.0.1:8787', token });
  scheduler = new SyncScheduler({ outbox, run: () => sync(), soonDelayMs: 60_000 });
  handle = createMessageHandler({
    outbox,
    scheduler,
    storage,
    extensionOrigin: EXT,
    broadcast: async () => {},
    testConnection: (url, tok) => testConnection(appFetch, url, tok),
    visits: new VisitQueue(outbox.db),
    pullOwnRatings: ownRatingsPuller({ outbox, fetch: appFetch, storage, mayReach: async () => true }),
  });
});
afterEach(async () => {
  scheduler.dispose();
  await scheduler.idle();
  await t.store.close();
});

const serverRecords = async () =>
  ((await (await t.call(token, 'GET', '/v1/feedback?conversationId=conv-1')).json()).items as { criterion?: string; rating: unknown; target: { key: string } }[])
    .map((f) => [f.criterion ?? 'overall', f.target.key, f.rating])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('criteria in the background', () => {
  it('hands content scripts the published criteria only from a server that takes them, setting aside bad ones', async () => {
    const published = [CORRECTNESS, { name: 'Bad Name', label: 'x' }, { ...CORRECTNESS, label: 'again' }, { name: 'task_quality', label: 'Quality', scale: 'stars' }];
    await saveRemoteConfig(storage, REMOTE(['packs'], published));
    expect(await handle({ type: 'get-content-config', url: page.url! }, page)).toMatchObject({ criteria: [] });
    await saveRemoteConfig(storage, REMOTE(['packs', 'criteria'], published));
    expect(await handle({ type: 'get-content-config', url: page.url! }, page)).toMatchObject({
      criteria: [CORRECTNESS, { name: 'task_quality', label: 'Quality', scale: 'stars' }],
    });
  });

  it('refuses a criterion rating for a server that does not take criteria, and saves nothing', async () => {
    await saveRemoteConfig(storage, REMOTE(['packs']));
    await expect(handle({ type: 'rate', draft: { target, criterion: 'correctness', rating: { thumb: 'down' } } }, page)).rejects.toThrow(/does not take ratings of other criteria/);
    expect(await outbox.get(criterionRowKey(target.key, 'correctness'))).toBeUndefined();
  });

  it('keeps a criterion rating in a row of its own, a record of its own on the server; undoing it leaves overall', async () => {
    await saveRemoteConfig(storage, REMOTE(['criteria'], [CORRECTNESS]));
    const overall = await handle({ type: 'rate', draft: { target, rating: { thumb: 'up' } } }, page);
    const correctness = await handle({ type: 'rate', draft: { target, criterion: 'correctness', rating: { thumb: 'down' } } }, page);
    const key = criterionRowKey(target.key, 'correctness');
    expect(overall).toEqual({ key: target.key, state: 'pending', rating: { thumb: 'up' } });
    expect(correctness).toEqual({ key, state: 'pending', rating: { thumb: 'down' } });
    const rows = [await outbox.get(target.key), await outbox.get(key)];
    expect(rows.map((r) => r?.feedback?.criterion)).toEqual([undefined, 'correctness']);
    expect(rows[0]!.feedbackId).not.toBe(rows[1]!.feedbackId);
    expect(rows[1]!.feedback!.target.key).toBe(target.key);

    expect((await sync()).synced).toBe(2);
    expect(await serverRecords()).toEqual([
      ['correctness', target.key, { thumb: 'down' }],
      ['overall', target.key, { thumb: 'up' }],
    ]);
    expect(await handle({ type: 'rate', draft: { target, criterion: 'correctness', remove: true } }, page)).toEqual({ key, state: 'none' });
    await sync();
    expect(await serverRecords()).toEqual([['overall', target.key, { thumb: 'up' }]]);
  });

  it('holds criterion votes back from a server that stopped taking criteria, and sends them once it does', async () => {
    await saveRemoteConfig(storage, REMOTE(['criteria'], [CORRECTNESS]));
    await handle({ type: 'rate', draft: { target, rating: { thumb: 'up' } } }, page);
    await handle({ type: 'rate', draft: { target, criterion: 'correctness', rating: { thumb: 'down' } } }, page);
    // The server was downgraded before the sync: only the overall vote goes.
    await saveRemoteConfig(storage, REMOTE([]));
    expect((await sync()).sent).toBe(1);
    expect(await serverRecords()).toEqual([['overall', target.key, { thumb: 'up' }]]);
    expect((await outbox.get(criterionRowKey(target.key, 'correctness')))!.state).toBe('pending');
    await saveRemoteConfig(storage, REMOTE(['criteria'], [CORRECTNESS]));
    expect((await sync()).sent).toBe(1);
    expect((await serverRecords()).map((r) => r[0])).toEqual(['correctness', 'overall']);
  });

  it("pulls the rater's own criterion ratings into their own rows, beside the overall one", async () => {
    const at = '2026-11-30T10:00:00.000Z';
    const record = (id: string, extra: Record<string, unknown>) => ({ id, target, rating: { thumb: 'up' }, createdAt: at, updatedAt: at, ...extra });
    expect((await t.call(token, 'POST', '/v1/feedback', record('01936d6e-7b1a-7c3e-9f00-0000000000c1', {}))).status).toBe(201);
    expect((await t.call(token, 'POST', '/v1/feedback', record('01936d6e-7b1a-7c3e-9f00-0000000000c2', { criterion: 'correctness', rating: { thumb: 'down' } }))).status).toBe(201);
    await saveRemoteConfig(storage, REMOTE(['own-ratings', 'criteria'], [CORRECTNESS]));
    const pulled = (await handle({ type: 'open-conversation', site: 'chatgpt.com', conversationId: 'conv-1' }, page)) as { statuses: { key: string }[] };
    expect(pulled.statuses.map((s) => s.key).sort()).toEqual([target.key, criterionRowKey(target.key, 'correctness')].sort());
    expect(await outbox.statuses([target.key, criterionRowKey(target.key, 'correctness')])).toEqual([
      { key: target.key, state: 'synced', rating: { thumb: 'up' } },
      { key: criterionRowKey(target.key, 'correctness'), state: 'synced', rating: { thumb: 'down' } },
    ]);
    // A re-vote of the criterion here updates that record.
    await handle({ type: 'rate', draft: { target, criterion: 'correctness', rating: { thumb: 'up' } } }, popup);
    await sync();
    expect(await serverRecords()).toEqual([
      ['correctness', target.key, { thumb: 'up' }],
      ['overall', target.key, { thumb: 'up' }],
    ]);
  });
});
