// @vitest-environment happy-dom
/**
 * A rated text selection is found again on the next visit: the content controller against the
 * background's real message handling (real outbox on fake-indexeddb, WXT's fake storage). Page
 * timers are fake (the observer's frames and gap); IndexedDB runs on setImmediate, which is not.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { createMessageHandler, type MessageSender } from '../background/handlers.ts';
import { saveSettings, type KeyValueArea } from '../background/settings.ts';
import type { ContentMessage, Message } from '../messages.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { testOutbox } from '../outbox/test-db.ts';
import { SyncScheduler } from '../sync/scheduler.ts';
import { startContent, type ContentPort } from './controller.ts';

const PAGE = 'https://wiki.example.com/runbooks/dns';
const TEXT = 'The model said the outage began at ten past ten, caused by a stale DNS record.';

let outbox: Outbox;
let storage: KeyValueArea;
let scheduler: SyncScheduler;
let handle: ReturnType<typeof createMessageHandler>;
let visit: AbortController;
let sent: Message[];
/** Messages the background has answered, by type. */
let answered: Message['type'][];

function setUrl(href: string) {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(href);
}

/** The content script's port, answered by the real handler as the background would. */
const port: ContentPort = {
  async send(message) {
    sent.push(structuredClone(message));
    const sender: MessageSender = { url: location.href, tab: { id: 1, url: location.href } };
    try {
      return await handle(structuredClone(message), sender);
    } finally {
      answered.push(message.type);
    }
  },
  listen: () => () => undefined,
};

/** Lets IndexedDB (setImmediate) and the page's fake timers run until `check` holds; the test's timeout bounds it. */
async function until(check: () => boolean | Promise<boolean>) {
  while (!(await check())) {
    await new Promise((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(20);
  }
}

const asked = () => sent.filter((m) => m.type === 'get-page-selections').length;
/** Every question for the page's selections so far has its answer, and what the answers caused has run. */
async function answeredAll() {
  await until(() => answered.filter((t) => t === 'get-page-selections').length === asked());
  await vi.advanceTimersByTimeAsync(1000);
}

const widgets = () => [...document.querySelectorAll('groundtruth-widget')];
const hook = (widget: Element, name: string) => widget.shadowRoot!.querySelector<HTMLElement>(`[data-gt="${name}"]`)!;

/** A visit of the page: a fresh content script on `html`. */
async function open(html: string) {
  visit?.abort();
  document.body.innerHTML = html;
  visit = new AbortController();
  return startContent({ port, signal: visit.signal });
}

/** Selects `exact` inside the element with id `id` and rates it thumbs up, as the context menu does. */
async function rateSelection(id: string, exact: string) {
  const controller = await open(`<h1>DNS</h1><p id="${id}">${TEXT}</p><p>Other notes.</p>`);
  const text = document.getElementById(id)!.firstChild!;
  const range = document.createRange();
  range.setStart(text, TEXT.indexOf(exact));
  range.setEnd(text, TEXT.indexOf(exact) + exact.length);
  window.getSelection()!.removeAllRanges();
  window.getSelection()!.addRange(range);
  controller.rateSelection(exact);
  const widget = document.getElementById(id)!.nextElementSibling!;
  hook(widget, 'up').click();
  // Saved: the background answered, the outbox holds the row.
  await until(async () => (await outbox.recent()).length === 1);
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
  fakeBrowser.reset();
  setUrl(PAGE);
  sent = [];
  answered = [];
  outbox = testOutbox();
  storage = fakeBrowser.storage.local as unknown as KeyValueArea;
  scheduler = new SyncScheduler({ outbox, run: async () => ({ ok: true, sent: 0, synced: 0, rejected: 0, changed: [], configFetched: false, startedAt: 0, finishedAt: 0 }), soonDelayMs: 60_000 });
  handle = createMessageHandler({
    outbox,
    scheduler,
    storage,
    extensionOrigin: 'chrome-extension://abcdefghijklmnop/',
    broadcast: async () => undefined,
    testConnection: async () => ({ ok: true, message: '' }),
    visits: { add: async () => undefined },
    pullOwnRatings: async () => [],
  });
});
afterEach(async () => {
  visit?.abort();
  scheduler.dispose();
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('a rated text selection, on the next visit', () => {
  it('is found again and its widget shows the stored vote, after the block it is in', async () => {
    await rateSelection('claim', 'outage began at ten past ten');
    await open(`<h1>DNS</h1><p id="claim">${TEXT}</p><p>Other notes.</p>`);
    await until(() => widgets().length === 1);
    const widget = widgets()[0]!;
    expect(document.getElementById('claim')!.nextElementSibling).toBe(widget);
    expect(widget.getAttribute('data-gt-state')).toBe('pending');
    expect(hook(widget, 'up').getAttribute('aria-pressed')).toBe('true');
    // One question per visit.
    expect(sent.filter((m) => m.type === 'get-page-selections')).toEqual([1, 2].map(() => ({ type: 'get-page-selections', url: PAGE })));
  });

  it('is found by its context when the page moved it, and a re-vote updates the same record', async () => {
    await rateSelection('claim', 'outage began at ten past ten');
    const [row] = await outbox.recent();
    await open(`<p>New introduction, added since.</p><ul><li>Summary</li><li id="moved">${TEXT}</li></ul>`);
    await until(() => widgets().length === 1);
    const widget = widgets()[0]!;
    expect(document.getElementById('moved')!.nextElementSibling).toBe(widget);
    hook(widget, 'down').click();
    await until(async () => (await outbox.recent())[0]?.feedback?.rating.thumb === 'down');
    expect(hook(widget, 'down').getAttribute('aria-pressed')).toBe('true');
    const rows = await outbox.recent();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: row!.key, feedbackId: row!.feedbackId, feedback: { rating: { thumb: 'down' }, target: { quote: row!.feedback!.target.quote } } });
  });

  it('waits for a page that renders late, and shows nothing where the text is gone', async () => {
    await rateSelection('claim', 'outage began at ten past ten');
    await open('<main id="app">Loading…</main>');
    await answeredAll();
    expect(widgets()).toHaveLength(0);
    document.getElementById('app')!.innerHTML = `<article><p id="late">${TEXT}</p></article>`;
    await until(() => widgets().length === 1);
    expect(document.getElementById('late')!.nextElementSibling).toBe(widgets()[0]);

    await open('<p>This page was rewritten: nothing of the old text is left.</p>');
    await answeredAll();
    expect(asked()).toBe(3);
    expect(widgets()).toHaveLength(0);
  });

  it('an undone vote, another page, and a site switched off show nothing', async () => {
    await rateSelection('claim', 'outage began at ten past ten');
    setUrl('https://wiki.example.com/runbooks/other');
    await open(`<p>${TEXT}</p>`);
    await answeredAll();
    expect(asked()).toBe(2);
    expect(widgets()).toHaveLength(0);

    // Switched off for the site: not even asked.
    setUrl(PAGE);
    await saveSettings(storage, { siteEnabled: { 'wiki.example.com': false } });
    await open(`<p>${TEXT}</p>`);
    await answeredAll();
    expect(asked()).toBe(2);
    expect(widgets()).toHaveLength(0);
    await saveSettings(storage, { siteEnabled: {} });

    // The same page once more: found; then undone, and gone on the next visit.
    await open(`<p>${TEXT}</p>`);
    await until(() => widgets().length === 1);
    const [row] = await outbox.recent();
    await handle({ type: 'rate', draft: { target: row!.feedback!.target, remove: true } }, { url: PAGE, tab: { id: 1, url: PAGE } });
    await open(`<p>${TEXT}</p>`);
    await answeredAll();
    expect(asked()).toBe(4);
    expect(widgets()).toHaveLength(0);
  });
});

describe('get-page-selections (background)', () => {
  it("answers with the page's selection records that hold a quote, not other pages' or hashes-only ones", async () => {
    const quote = { exact: 'stale DNS record', prefix: 'caused by a ', start: 61, end: 77 };
    const target = (key: string) => ({ kind: 'other' as const, key, site: 'wiki.example.com', url: PAGE, output: quote.exact, quote });
    const sender = { url: PAGE, tab: { id: 1, url: PAGE } };
    await handle({ type: 'rate', draft: { target: target('wiki.example.com:selection:/runbooks/dns:aaaaaaaaaaaaaa'), rating: { thumb: 'up' } } }, sender);
    await handle({ type: 'rate', draft: { target: target('wiki.example.com:selection:/runbooks/other:bbbbbbbbbbbbbb'), rating: { thumb: 'up' } } }, sender);
    await saveSettings(storage, { privacy: { redact: true, hashesOnly: true } });
    await handle({ type: 'rate', draft: { target: target('wiki.example.com:selection:/runbooks/dns:cccccccccccccc'), rating: { thumb: 'down' } } }, sender);
    const answer = (await handle({ type: 'get-page-selections', url: `${PAGE}?tab=1` }, sender)) as { selections: unknown[] };
    expect(answer.selections).toEqual([
      { quote, status: { key: 'wiki.example.com:selection:/runbooks/dns:aaaaaaaaaaaaaa', state: 'pending', rating: { thumb: 'up' } } },
    ]);
    expect(await handle({ type: 'get-page-selections', url: 'not a url' }, sender)).toEqual({ selections: [] });
  });
});
