/** The wiring of the background with WXT's fake browser: menu, alarm, messages, settings changes. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { createTestApp } from '../../test/helpers/app.ts';
import { testOutbox } from '../outbox/test-db.ts';
import type { Fetch } from '../sync/http.ts';
import { RATE_SELECTION_COMMAND } from './rate-selection.ts';
import { RATE_SELECTION_MENU, SYNC_ALARM, startBackground, type BackgroundBrowser } from './main.ts';
import { saveSettings, type KeyValueArea } from './settings.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let bg: ReturnType<typeof startBackground>;
const sent: { tabId: number; message: unknown; options?: unknown }[] = [];

/** An event with trigger(), for the APIs WXT's fake browser leaves unimplemented. */
function fakeEvent() {
  const listeners: ((...args: any[]) => unknown)[] = [];
  return {
    addListener: (l: (...args: any[]) => unknown) => void listeners.push(l),
    removeListener: (l: (...args: any[]) => unknown) => void listeners.splice(listeners.indexOf(l), 1),
    hasListener: (l: (...args: any[]) => unknown) => listeners.includes(l),
    trigger: async (...args: unknown[]) => Promise.all(listeners.map((l) => l(...args))),
  };
}
const menuClicked = fakeEvent();
let commandPressed = fakeEvent();

beforeEach(async () => {
  fakeBrowser.reset();
  sent.length = 0;
  t = await createTestApp();
  (fakeBrowser.contextMenus as unknown as { onClicked: unknown }).onClicked = menuClicked;
  commandPressed = fakeEvent();
  (fakeBrowser as unknown as { commands: unknown }).commands = { onCommand: commandPressed };
  vi.spyOn(fakeBrowser.contextMenus, 'removeAll').mockResolvedValue(undefined);
  vi.spyOn(fakeBrowser.contextMenus, 'create').mockReturnValue(RATE_SELECTION_MENU);
  vi.spyOn(fakeBrowser.tabs, 'sendMessage').mockImplementation((async (tabId: number, message: unknown, options?: unknown) => {
    sent.push({ tabId, message, options });
  }) as never);
  const appFetch: Fetch = async (url, init) => t.app.request(url, init);
  bg = startBackground(fakeBrowser as unknown as BackgroundBrowser, { outbox: testOutbox(), fetch: appFetch });
  await bg.scheduler.idle();
});
afterEach(async () => {
  bg?.scheduler.dispose();
  await bg?.scheduler.idle();
  await t.store.close();
  vi.restoreAllMocks();
});

/** Looks again, one macrotask apart, until `check` holds: the test's timeout bounds it, not a count of 5 ms sleeps. */
const until = async (check: () => boolean | Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setImmediate(r));
};

describe('startBackground', () => {
  it('adds "Rate with Groundtruth" for selections, which sends rate-selection to that tab and frame', async () => {
    await until(() => vi.mocked(fakeBrowser.contextMenus.create).mock.calls.length > 0);
    expect(fakeBrowser.contextMenus.create).toHaveBeenCalledWith({ id: RATE_SELECTION_MENU, title: 'Rate with Groundtruth', contexts: ['selection'] });
    await menuClicked.trigger({ menuItemId: RATE_SELECTION_MENU, selectionText: 'the quoted claim', frameId: 3, editable: false, pageUrl: 'https://x.test/' } as never, { id: 42 } as never);
    expect(sent).toEqual([{ tabId: 42, message: { type: 'rate-selection', selectionText: 'the quoted claim' }, options: { frameId: 3 } }]);
  });

  it('rates the selection from the keyboard command too: rate-selection with no text, to the top frame', async () => {
    await commandPressed.trigger('something-else', { id: 41 } as never);
    await commandPressed.trigger(RATE_SELECTION_COMMAND, { id: 42 } as never);
    await until(() => sent.length > 0);
    expect(sent).toEqual([{ tabId: 42, message: { type: 'rate-selection', selectionText: '' }, options: { frameId: 0 } }]);
  });

  it('keeps a periodic sync alarm of 30 s', async () => {
    await until(async () => (await fakeBrowser.alarms.get(SYNC_ALARM)) !== undefined);
    expect((await fakeBrowser.alarms.get(SYNC_ALARM))!.periodInMinutes).toBe(0.5);
  });

  it('answers messages through sendResponse, and a failure as { failed, error }', async () => {
    const answers: unknown[] = [];
    const reply = (a: unknown) => void answers.push(a);
    const sender = { url: 'https://chatgpt.com/c/1', tab: { id: 9, url: 'https://chatgpt.com/c/1' } };
    await (fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown>)({ type: 'get-statuses', keys: ['k'] }, sender, reply);
    await until(() => answers.length === 1);
    await (fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown>)({ type: 'sync-now' }, sender, reply);
    await until(() => answers.length === 2);
    expect(answers).toEqual([{ statuses: [{ key: 'k', state: 'none' }] }, { failed: true, error: `"sync-now" is only answered to the extension's own pages.` }]);
  });

  it('syncs at once when a token is saved, and tells open tabs what changed', async () => {
    const { token } = await t.token('rater');
    await bg.handle({ type: 'rate', draft: { target: { kind: 'chat_response', key: 'k1', output: 'hi' }, rating: { thumb: 'up' } } }, { url: 'chrome-extension://test/popup.html' });
    vi.spyOn(fakeBrowser.tabs, 'query').mockResolvedValue([{ id: 5 }, { id: 6 }] as never);
    sent.length = 0;
    await saveSettings(fakeBrowser.storage.local as unknown as KeyValueArea, { token });
    await until(async () => (await bg.outbox.counts()).synced === 1);
    const synced = () => sent.filter((s) => JSON.stringify(s.message).includes('"synced"'));
    await until(() => synced().length === 2);
    expect(synced().map((s) => s.tabId)).toEqual([5, 6]);
    expect(synced()[0]!.message).toEqual({ type: 'statuses-changed', statuses: [{ key: 'k1', state: 'synced', rating: { thumb: 'up' } }] });
  });
});
