/** The background's message handling, with the real outbox (fake-indexeddb), WXT's fake storage and the real server app. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { createTestApp } from '../../test/helpers/app.ts';
import { sha256Hex } from '../../shared/hash.ts';
import type { Target } from '../../shared/schemas.ts';
import type { TargetStatus } from '../messages.ts';
import { VisitQueue } from '../outbox/visits.ts';
import { ownRatingsPuller } from './own-ratings.ts';
import { testOutbox } from '../outbox/test-db.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { syncOnce } from '../sync/client.ts';
import type { Fetch } from '../sync/http.ts';
import { SyncScheduler } from '../sync/scheduler.ts';
import { testConnection } from './connection.ts';
import { createMessageHandler, MessageError, type MessageSender } from './handlers.ts';
import { loadSettings, saveRemoteConfig, saveSettings, type KeyValueArea } from './settings.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const EXT = 'chrome-extension://abcdefghijklmnop/';
const SERVER = 'http://127.0.0.1:8787';
const page: MessageSender = { url: 'https://chatgpt.com/c/abc', tab: { id: 7, url: 'https://chatgpt.com/c/abc' } };
const popup: MessageSender = { url: `${EXT}popup.html` };

const target = (extra: Partial<Target> = {}): Target => ({
  kind: 'chat_response',
  key: 'chatgpt:msg-1',
  site: 'chatgpt.com',
  conversationId: 'abc',
  model: 'gpt-5',
  prompt: 'Mail me at jane.doe@example.com',
  output: 'Sure, your key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD is safe with me.',
  ...extra,
});

let t: TestApp;
let token: string;
let outbox: Outbox;
let scheduler: SyncScheduler;
let storage: KeyValueArea;
let broadcasts: { statuses: TargetStatus[]; except?: number }[];
let handle: ReturnType<typeof createMessageHandler>;
let visits: VisitQueue;
const appFetch: Fetch = async (url, init) => t.app.request(url, init);

beforeEach(async () => {
  fakeBrowser.reset();
  t = await createTestApp();
  token = (await t.token('rater', { name: 'alice' })).token;
  outbox = testOutbox();
  visits = new VisitQueue(outbox.db);
  storage = fakeBrowser.storage.local as unknown as KeyValueArea;
  await saveSettings(storage, { serverUrl: SERVER, token });
  broadcasts = [];
  scheduler = new SyncScheduler({
    outbox,
    run: (o) => syncOnce({ outbox, fetch: appFetch, getServer: () => loadSettings(storage) }, o),
    soonDelayMs: 60_000,
  });
  handle = createMessageHandler({
    outbox,
    scheduler,
    storage,
    extensionOrigin: EXT,
    broadcast: async (statuses, except) => void broadcasts.push({ statuses, except }),
    testConnection: (url, tok) => testConnection(appFetch, url, tok),
    visits,
    pullOwnRatings: ownRatingsPuller({ outbox, fetch: appFetch, storage, mayReach: async () => true }),
  });
});
afterEach(async () => {
  scheduler.dispose();
  await scheduler.idle();
  await t.store.close();
});

describe('rate', () => {
  it('redacts before queueing, keeps hashes of the originals, and tells the other tabs', async () => {
    const status = await handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'down' }, correction: { output: 'Never echo a key. Write to jane.doe@example.com' } } }, page);
    expect(status).toEqual({ key: 'chatgpt:msg-1', state: 'pending', rating: { thumb: 'down' }, correction: { output: 'Never echo a key. Write to [EMAIL]' } });
    const stored = (await outbox.get('chatgpt:msg-1'))!.feedback!;
    expect(stored.target.prompt).toBe('Mail me at [EMAIL]');
    expect(stored.target.output).toBe('Sure, your key [SECRET:openai] is safe with me.');
    expect(stored.target.promptHash).toBe(await sha256Hex(target().prompt!));
    expect(stored.target.outputHash).toBe(await sha256Hex(target().output!));
    expect(JSON.stringify(stored)).not.toMatch(/jane\.doe|sk-proj/);
    expect(broadcasts).toEqual([{ statuses: [status], except: 7 }]);
  });

  it('hashes-only mode sends no page text', async () => {
    await saveSettings(storage, { privacy: { redact: true, hashesOnly: true } });
    await handle({ type: 'rate', draft: { target: target({ messages: [{ role: 'user', content: 'earlier' }] }), rating: { stars: 2 } } }, page);
    const stored = (await outbox.get('chatgpt:msg-1'))!.feedback!;
    expect(stored.target).not.toHaveProperty('prompt');
    expect(stored.target).not.toHaveProperty('output');
    expect(stored.target).not.toHaveProperty('messages');
    expect(stored.target.outputHash).toBe(await sha256Hex(target().output!));
    expect(stored.target.model).toBe('gpt-5');
  });

  it('with redaction off, the text is queued as it was', async () => {
    await saveSettings(storage, { privacy: { redact: false, hashesOnly: false } });
    await handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'up' } } }, page);
    expect((await outbox.get('chatgpt:msg-1'))!.feedback!.target.prompt).toBe('Mail me at jane.doe@example.com');
  });

  it('refuses ratings from a site the rater switched off', async () => {
    await saveSettings(storage, { siteEnabled: { 'chatgpt.com': false } });
    await expect(handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'up' } } }, page)).rejects.toThrow(/switched off/);
    expect(await outbox.get('chatgpt:msg-1')).toBeUndefined();
  });

  it('a comment alone keeps the vote; no vote at all is refused in words; remove undoes', async () => {
    await expect(handle({ type: 'rate', draft: { target: target(), comment: 'hm' } }, page)).rejects.toThrow(MessageError);
    await handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'up' } } }, page);
    const withComment = await handle({ type: 'rate', draft: { target: target(), comment: 'good' } }, page);
    expect(withComment).toMatchObject({ state: 'pending', rating: { thumb: 'up' }, comment: 'good' });
    const removed = await handle({ type: 'rate', draft: { target: target(), remove: true } }, page);
    expect(removed).toEqual({ key: 'chatgpt:msg-1', state: 'none' });
    expect((await handle({ type: 'get-statuses', keys: ['chatgpt:msg-1'] }, page))).toEqual({ statuses: [{ key: 'chatgpt:msg-1', state: 'none' }] });
  });

  it('applies ratings of one target in the order they came, whatever each one has to do first', async () => {
    // A save with a comment redacts before it queues; an undo sent right after it does not. The
    // undo must still land last (the rater's last click), and each answer says its own state.
    await handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'down' } } }, page);
    const [saved, undone] = await Promise.all([
      handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'down' }, comment: 'Wrong table.', correction: { output: 'SELECT 1;' } } }, page),
      handle({ type: 'rate', draft: { target: target(), remove: true } }, page),
    ]);
    expect(saved).toMatchObject({ state: 'pending', rating: { thumb: 'down' }, comment: 'Wrong table.' });
    expect(undone).toEqual({ key: 'chatgpt:msg-1', state: 'none' });
    expect(await handle({ type: 'get-statuses', keys: ['chatgpt:msg-1'] }, page)).toEqual({ statuses: [{ key: 'chatgpt:msg-1', state: 'none' }] });
    // Another target is not held back by this one's queue.
    const other = await handle({ type: 'rate', draft: { target: target({ key: 'chatgpt:msg-2' }), rating: { thumb: 'up' } } }, page);
    expect(other).toMatchObject({ key: 'chatgpt:msg-2', state: 'pending' });
  });

  it('clips texts to the protocol limits instead of failing', async () => {
    const huge = 'x'.repeat(150_000);
    const turns = Array.from({ length: 30 }, (_, i) => ({ role: 'user' as const, content: `turn ${i}` }));
    await handle({ type: 'rate', draft: { target: target({ output: huge, messages: turns }), rating: { thumb: 'up' } } }, page);
    const stored = (await outbox.get('chatgpt:msg-1'))!.feedback!.target;
    expect(stored.output).toHaveLength(100_000);
    expect(stored.outputHash).toBe(await sha256Hex(huge));
    expect(stored.messages!.map((m) => m.content)).toEqual(turns.slice(-20).map((m) => m.content));
  });
});

describe('edges', () => {
  it('refuses what is not a message, and privileged messages from content scripts', async () => {
    await expect(handle({ type: 'nope' }, page)).rejects.toThrow(/Not a Groundtruth message/);
    await expect(handle({ type: 'rate', draft: { target: { kind: 'chat_response' } } }, page)).rejects.toThrow(/target.key/);
    for (const type of ['get-summary', 'sync-now'] as const) {
      await expect(handle({ type }, page)).rejects.toThrow(/only answered to the extension's own pages/);
    }
    await expect(handle({ type: 'test-connection', serverUrl: SERVER, token }, page)).rejects.toThrow(MessageError);
  });

  it('gives content scripts rules and switches, never the server or the token', async () => {
    await saveSettings(storage, {
      starMode: true,
      customRules: [{ id: 'mine', urlPattern: 'https://grafana.example.com/*', outputSelector: '.ai' }],
    });
    await saveRemoteConfig(storage, {
      config: {
        rules: [
          { id: 'airflow', urlPattern: 'https://airflow.example.com/*', outputSelector: '.analysis', kind: 'error_analysis' },
          { id: 'broken', urlPattern: 'x', outputSelector: '.a', kind: 'not-a-kind' },
        ],
        disabledAdapters: ['gemini'],
        selectorPacks: {},
      },
      updatedAt: '2026-02-01T00:00:00.000Z',
      version: 1,
      capabilities: ['packs', 'health', 'own-ratings'],
      caller: { workspaceId: 'default', role: 'rater', name: 'alice' },
    });
    const config = (await handle({ type: 'get-content-config', url: 'https://chatgpt.com/c/abc' }, page)) as Record<string, unknown>;
    expect(config).toMatchObject({ starMode: true, disabledAdapters: ['gemini'] });
    expect((config.rules as { id: string; source: string }[]).map((r) => [r.id, r.source])).toEqual([
      ['mine', 'user'],
      ['airflow', 'server'],
    ]);
    const text = JSON.stringify(config);
    expect(text).not.toContain(token);
    expect(text).not.toContain('127.0.0.1');
  });
});

describe('popup and options', () => {
  it('summary, then Sync now: counts move from pending to synced and the server holds the rating', async () => {
    await handle({ type: 'rate', draft: { target: target(), rating: { thumb: 'down' } } }, page);
    const before = (await handle({ type: 'get-summary' }, popup)) as { counts: object; recent: { state: string; snippet: string }[]; hasToken: boolean };
    expect(before.counts).toEqual({ pending: 1, synced: 0, rejected: 0 });
    expect(before.hasToken).toBe(true);
    expect(before.recent[0]).toMatchObject({ state: 'pending', snippet: 'Sure, your key [SECRET:openai] is safe with me.' });
    const after = (await handle({ type: 'sync-now' }, popup)) as { counts: object; lastSync: { ok: boolean } };
    expect(after.counts).toEqual({ pending: 0, synced: 1, rejected: 0 });
    expect(after.lastSync.ok).toBe(true);
    const res = await t.call(token, 'GET', '/v1/feedback');
    expect((await res.json()).items).toHaveLength(1);
  });

  it('Test connection says what is wrong in plain words', async () => {
    const ask = (serverUrl: string, tok: string) => handle({ type: 'test-connection', serverUrl, token: tok }, { url: `${EXT}options.html` }) as Promise<{ ok: boolean; message: string }>;
    expect(await ask(SERVER, token)).toMatchObject({ ok: true, message: `Connected to ${SERVER}: workspace "default", rater token "alice".` });
    expect((await ask(SERVER, 'gt_wrong')).message).toMatch(/does not accept this token/);
    expect((await ask('not a url', token)).message).toMatch(/is not a web address/);
    expect((await ask(SERVER, '')).message).toMatch(/is up\. Now paste your token/);
    const admin = (await t.token('admin', { name: 'root' })).token;
    expect((await ask(SERVER, admin)).message).toMatch(/admin token: a rater token is the safer kind/);
  });

  it('Test connection: unreachable, not Groundtruth, wrong role', async () => {
    const realFetch: Fetch = (url, init) => fetch(url, init);
    const unreachable = await testConnection(realFetch, 'http://127.0.0.1:1', token);
    expect(unreachable).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(unreachable.message).toBe('Cannot reach the server at http://127.0.0.1:1. Is it running, and is the address right?');

    const other = await testConnection(async () => new Response('<html>', { status: 200 }), SERVER, token);
    expect(other).toMatchObject({ ok: false, kind: 'not-groundtruth' });

    // A server whose policy keeps this role from syncing answers 403 to the probe.
    const policy: Fetch = async (url, init) =>
      url.endsWith('/v1/sync') ? Response.json({ error: { code: 'forbidden', message: 'This needs the rater role.' } }, { status: 403 }) : appFetch(url, init);
    const wrongRole = await testConnection(policy, SERVER, token);
    expect(wrongRole).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(wrongRole.message).toMatch(/its role \(rater\) may not submit ratings/);
  });
});

const REMOTE = (capabilities: string[], selectorPacks: Record<string, unknown> = {}) => ({
  config: { rules: [], disabledAdapters: [], selectorPacks },
  updatedAt: '2026-11-30T00:00:00.000Z',
  version: 4,
  capabilities,
  caller: { workspaceId: 'default', role: 'rater' as const, name: 'alice' },
});

const VISIT = {
  at: '2026-11-30T10:00:00.000Z', site: 'chatgpt.com', adapter: 'chatgpt', layout: '2026-09', fallback: false,
  answers: 3, userTurns: 3, prompt: true, model: false, conversationId: true,
};

describe('health, packs and own ratings', () => {
  it('keeps a visit only for a server that takes them', async () => {
    await saveRemoteConfig(storage, REMOTE([]));
    expect(await handle({ type: 'report-visit', visit: VISIT }, page)).toEqual({ ok: true });
    expect(await visits.size()).toBe(0);
    await saveRemoteConfig(storage, REMOTE(['health']));
    await handle({ type: 'report-visit', visit: VISIT }, page);
    expect(await visits.peek()).toEqual([VISIT]);
    // A visit carrying text is not a visit.
    await expect(handle({ type: 'report-visit', visit: { ...VISIT, prompt: 'the question' } }, page)).rejects.toThrow(/visit.prompt/);
    await expect(handle({ type: 'report-visit', visit: { ...VISIT, text: 'x' } }, page)).rejects.toThrow(/text/);
  });

  it('hands content scripts the usable packs and says which it set aside', async () => {
    await saveRemoteConfig(storage, REMOTE(['packs', 'health'], {
      chatgpt: { answer: ['[data-x-ids]'] },
      claude: { answer: ['.a'], hover: ['.b'] },
      notasite: { answer: ['.c'] },
    }));
    const config = (await handle({ type: 'get-content-config', url: 'https://chatgpt.com/c/abc' }, page)) as Record<string, unknown>;
    expect(config).toMatchObject({ selectorPacks: { chatgpt: { answer: ['[data-x-ids]'] } }, configVersion: 4, reportHealth: true });
    expect(Object.keys(config.selectorPacks as object)).toEqual(['chatgpt']);
    const summary = (await handle({ type: 'get-summary' }, popup)) as { packs: unknown };
    expect(summary.packs).toEqual({ version: 4, sites: ['chatgpt'], ignored: ['claude', 'notasite'] });
  });

  it("a conversation opened pulls this rater's own ratings in it, and a re-vote updates that record", async () => {
    const feedback = {
      id: '01936d6e-7b1a-7c3e-9f00-0000000000b1',
      target: { ...target(), key: 'chatgpt.com:answer-9', site: 'chatgpt.com', conversationId: 'conv-9' },
      rating: { thumb: 'up' },
      createdAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T10:00:00.000Z',
    };
    // Rated on another device.
    expect((await t.call(token, 'POST', '/v1/feedback', feedback)).status).toBe(201);
    await saveRemoteConfig(storage, REMOTE([]));
    expect(await handle({ type: 'open-conversation', site: 'chatgpt.com', conversationId: 'conv-9' }, page)).toEqual({ statuses: [] });
    await saveRemoteConfig(storage, REMOTE(['own-ratings']));
    const pulled = (await handle({ type: 'open-conversation', site: 'chatgpt.com', conversationId: 'conv-9' }, page)) as { statuses: unknown[] };
    expect(pulled.statuses).toEqual([{ key: 'chatgpt.com:answer-9', state: 'synced', rating: { thumb: 'up' } }]);

    await handle({ type: 'rate', draft: { target: feedback.target, rating: { thumb: 'down' } } }, page);
    await handle({ type: 'sync-now' }, popup);
    const items = (await (await t.call(token, 'GET', '/v1/feedback?conversationId=conv-9')).json()).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: feedback.id, rating: { thumb: 'down' } });
  });
});
