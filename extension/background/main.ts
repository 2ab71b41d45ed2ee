/**
 * The background, wired: messages, the sync schedule (alarm, start-up, soon after a rating, Sync
 * now), the "Rate with Groundtruth" context menu, and statuses pushed to open tabs after a sync.
 * The entrypoint only calls startBackground(browser); tests call it with a fake browser.
 */
import type { WxtBrowser } from 'wxt/browser';
import type { ContentMessage, TargetStatus } from '../messages.ts';
import { getOutbox } from '../outbox/instance.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { syncOnce } from '../sync/client.ts';
import type { Fetch } from '../sync/http.ts';
import { SyncScheduler } from '../sync/scheduler.ts';
import { testConnection } from './connection.ts';
import { connectWithCode } from './connect.ts';
import { applyManagedPolicy, MANAGED_KEY } from './managed.ts';
import { createMessageHandler, MessageError } from './handlers.ts';
import { mayReach } from './permissions.ts';
import { RATE_SELECTION_COMMAND, rateSelectionInTab } from './rate-selection.ts';
import { syncRuleScripts } from './rule-scripts.ts';
import { contentConfigOf, loadRemoteConfig, loadSettings, REMOTE_CONFIG_KEY, saveRemoteConfig, serverCan, SETTINGS_KEY, type Settings } from './settings.ts';
import { ownRatingsPuller } from './own-ratings.ts';
import { toReviewReader } from './to-review.ts';
import { VisitQueue } from '../outbox/visits.ts';

export const SYNC_ALARM = 'groundtruth-sync';
/** chrome.alarms fire at most every 30 s (Chrome 120+). */
const SYNC_PERIOD_MINUTES = 0.5;
export const RATE_SELECTION_MENU = 'groundtruth-rate-selection';

export type BackgroundBrowser = Pick<WxtBrowser, 'runtime' | 'storage' | 'tabs' | 'alarms' | 'contextMenus' | 'permissions'> & Partial<Pick<WxtBrowser, 'scripting' | 'commands'>>;

interface BackgroundOptions {
  fetch?: Fetch;
  outbox?: Outbox;
}

export function startBackground(browser: BackgroundBrowser, options: BackgroundOptions = {}) {
  const outbox = options.outbox ?? getOutbox();
  const storage = browser.storage.local;
  const fetchFn: Fetch = options.fetch ?? ((url, init) => fetch(url, init));
  const reach = (serverUrl: string) => mayReach(browser.permissions, serverUrl);

  async function broadcast(statuses: TargetStatus[], exceptTabId?: number): Promise<void> {
    if (statuses.length === 0) return;
    const message: ContentMessage = { type: 'statuses-changed', statuses };
    const tabs = await browser.tabs.query({});
    await Promise.all(
      tabs
        .filter((tab) => tab.id !== undefined && tab.id !== exceptTabId)
        // Tabs without our content script refuse the message; that is fine.
        .map((tab) => browser.tabs.sendMessage(tab.id!, message).catch(() => undefined)),
    );
  }

  const visits = new VisitQueue(outbox.db);
  const scheduler = new SyncScheduler({
    outbox,
    hasOtherWork: async () => (await visits.size()) > 0,
    run: (syncOptions) =>
      syncOnce(
        {
          outbox,
          fetch: fetchFn,
          getServer: async () => {
            const s = await loadSettings(storage);
            return { serverUrl: s.serverUrl, token: s.token };
          },
          hasPermission: reach,
          saveRemoteConfig: (config) => saveRemoteConfig(storage, config),
          configVersion: async () => (await loadRemoteConfig(storage))?.version,
          takesCriteria: async () => serverCan(await loadRemoteConfig(storage), 'criteria'),
          visits,
        },
        syncOptions,
      ),
    onReport: (report) => broadcast(report.changed),
  });

  const handle = createMessageHandler({
    outbox,
    scheduler,
    storage,
    extensionOrigin: browser.runtime.getURL('/' as never),
    broadcast,
    testConnection: (serverUrl, token) => testConnection(fetchFn, serverUrl, token, reach),
    connectWithCode: (serverUrl, code, deviceName) => connectWithCode({ fetch: fetchFn, storage, mayReach: reach }, serverUrl, code, deviceName),
    visits,
    pullOwnRatings: ownRatingsPuller({ outbox, fetch: fetchFn, storage, mayReach: reach }),
    toReview: toReviewReader({ fetch: fetchFn, storage, mayReach: reach }),
  });

  // Chrome's onMessage does not take a returned promise: answer through sendResponse and return true.
  browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse: (response: unknown) => void) => {
    handle(message, sender).then(sendResponse, (err: unknown) => {
      const error = err instanceof MessageError ? err.message : `Groundtruth failed: ${err instanceof Error ? err.message : String(err)}`;
      if (!(err instanceof MessageError)) console.error('[groundtruth]', err);
      sendResponse({ failed: true, error });
    });
    return true;
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) void scheduler.trigger('alarm');
  });
  void (async () => {
    // Re-creating an alarm resets its period, so only create it when it is missing.
    if (!(await browser.alarms.get(SYNC_ALARM))) {
      await browser.alarms.create(SYNC_ALARM, { periodInMinutes: SYNC_PERIOD_MINUTES, delayInMinutes: SYNC_PERIOD_MINUTES });
    }
  })().catch((err) => console.error('[groundtruth] alarm', err));

  browser.contextMenus.onClicked.addListener((info, tab) => {
    if (info.menuItemId !== RATE_SELECTION_MENU || tab?.id === undefined) return;
    void rateSelectionInTab(browser, tab.id, info.frameId ?? 0, info.selectionText ?? '').catch((err) =>
      console.error('[groundtruth] rate selection', err),
    );
  });
  browser.commands?.onCommand.addListener((command, tab) => {
    if (command !== RATE_SELECTION_COMMAND || tab?.id === undefined) return;
    void rateSelectionInTab(browser, tab.id, 0, '').catch((err) => console.error('[groundtruth] rate selection (keyboard)', err));
  });
  // Menus outlive the worker in Chrome but not always elsewhere: rebuild on every start, idempotently.
  void (async () => {
    await browser.contextMenus.removeAll();
    browser.contextMenus.create({ id: RATE_SELECTION_MENU, title: 'Rate with Groundtruth', contexts: ['selection'] });
  })().catch((err) => console.error('[groundtruth] context menu', err));

  // Rules run where the rater granted their hosts (rule-scripts.ts): re-register when rules or grants
  // change, one update at a time.
  let ruleScripts: Promise<unknown> = Promise.resolve();
  const refreshRuleScripts = () => {
    ruleScripts = ruleScripts
      .then(async () => {
        const config = contentConfigOf(await loadSettings(storage), await loadRemoteConfig(storage));
        await syncRuleScripts(browser, config.rules);
      })
      .catch((err) => console.error('[groundtruth] rule scripts', err));
    return ruleScripts;
  };
  try {
    browser.permissions.onAdded.addListener(() => void refreshRuleScripts());
    browser.permissions.onRemoved.addListener(() => void refreshRuleScripts());
  } catch (err) {
    // WXT's fake browser (unit tests) has no permission events; every real browser has them.
    console.warn('[groundtruth] no permission events', err);
  }
  void refreshRuleScripts();

  // Admin policy (ADR 0053): at start-up and whenever the admin changes it.
  let managedRun = Promise.resolve();
  const applyPolicy = () => {
    managedRun = managedRun
      .then(() =>
        applyManagedPolicy({
          managed: browser.storage.managed,
          storage,
          connect: (serverUrl, code) => connectWithCode({ fetch: fetchFn, storage, mayReach: reach }, serverUrl, code, 'Managed browser'),
          currentToken: async () => (await loadSettings(storage)).token,
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => console.error('[groundtruth] managed policy', err),
      );
    return managedRun;
  };
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') void applyPolicy();
  });
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes[MANAGED_KEY]) void scheduler.resetBackoff().then(() => scheduler.trigger('settings'));
  });
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && (changes[SETTINGS_KEY] || changes[REMOTE_CONFIG_KEY])) void refreshRuleScripts();
    // New server URL or token: the last failure may be gone, so try again at once.
    if (area !== 'local' || !changes[SETTINGS_KEY]) return;
    const before = (changes[SETTINGS_KEY].oldValue ?? {}) as Partial<Settings>;
    const after = (changes[SETTINGS_KEY].newValue ?? {}) as Partial<Settings>;
    if (before.serverUrl === after.serverUrl && before.token === after.token) return;
    void scheduler.resetBackoff().then(() => scheduler.trigger('settings'));
  });

  // Defence in depth: keep storage.local (which holds the token) away from content scripts where
  // the browser allows it (Chrome; Firefox only supports this for storage.session).
  const local = storage as { setAccessLevel?: (o: { accessLevel: string }) => Promise<void> };
  try {
    void local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })?.catch(() => undefined);
  } catch {
    /* not supported for this area here */
  }

  void applyPolicy().then(() => scheduler.trigger('startup'));
  return { outbox, scheduler, handle, broadcast, visits, refreshRuleScripts };
}
