/**
 * Rating a text selection on a page the extension has no access to (issue 15, item 2; ADR 0050):
 * no content script is declared or registered there, and no host was granted. A real
 * context-menu click ("Rate with Groundtruth") and the keyboard command (Alt+Shift+G) are the
 * gestures that grant `activeTab` for the tab; the background then injects the content script
 * and the widget opens under the selection. Headless Chromium cannot make either gesture, so this
 * runs a windowed Chromium on a virtual X display and sends real X input (xvfb.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { asDocument, configure, extensionPage, launchWithExtension, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';
import { startXvfb, type VirtualDisplay } from './xvfb.ts';

const ORIGIN = 'https://notes.example.test';
const PAGE = asDocument(
  '<h1>Incident notes</h1>' +
    '<p id="p1">The model said the outage began when the cache warmed up, which is backwards.</p>' +
    '<p id="p2">Its second summary blamed the deploy of 14:02 for the p99 latency.</p>' +
    '<p id="p3">Nothing else here.</p>',
);

let x: VirtualDisplay;
let server: ServerHandle;
let browser: ExtensionBrowser;
let admin: string;

beforeAll(async () => {
  x = await startXvfb();
  server = await startServer({ dataDir: tempDir('gt-e2e-selection-') });
  admin = server.adminToken ?? (await server.createToken('admin', 'e2e-admin'));
  browser = await launchWithExtension(tempDir('gt-chromium-selection-'), { display: x.display });
  await serveSite(browser.context, ORIGIN, PAGE);
  await configure(browser, server.url, await server.createToken('rater', 'e2e-selection-rater'));
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await x?.stop().catch(() => undefined);
});

/** Selects the text of `#id` and returns a point inside it on the X screen. */
async function select(page: Page, id: string): Promise<{ x: number; y: number }> {
  return page.evaluate((id) => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(id)!);
    const sel = getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    const box = range.getBoundingClientRect();
    // The window sits at the screen's corner (--window-position=0,0); the page starts below the
    // browser's own bars.
    const top = window.screenY + window.outerHeight - window.innerHeight;
    return { x: Math.round(window.screenX + box.left + 20), y: Math.round(top + box.top + box.height / 2) };
  }, id);
}

/** The widget placed right after `#id`'s block, if any. */
function widgetAfter(page: Page, id: string) {
  return page.locator(`#${id} + groundtruth-widget`);
}

async function serverRecords(): Promise<Record<string, any>[]> {
  const res = await fetch(`${server.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${admin}` } });
  expect(res.status).toBe(200);
  return (await res.json()).items;
}

describe('rating a selection on a page with no grant', () => {
  it('the context menu and the keyboard command open a widget there; the rating syncs', { timeout: 180_000 }, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${ORIGIN}/incidents/42`);
    await page.bringToFront();

    // No access before the gesture: the background cannot run a script in the tab, and nothing is placed.
    const canScript = () =>
      browser.worker.evaluate(async (origin) => {
        const c = (globalThis as any).chrome;
        const [tab] = await c.tabs.query({ url: `${origin}/*` }).catch(() => []);
        const tabs = tab ? [tab] : await c.tabs.query({});
        for (const t of tabs) {
          try {
            const [r] = await c.scripting.executeScript({ target: { tabId: t.id }, func: () => location.origin });
            if (r.result === origin) return true;
          } catch {
            /* no access */
          }
        }
        return false;
      }, ORIGIN);
    expect(await canScript()).toBe(false);
    expect(await browser.worker.evaluate(() => (globalThis as any).chrome.permissions.contains({ origins: ['https://notes.example.test/*'] }))).toBe(false);
    expect(await page.locator('groundtruth-widget').count()).toBe(0);

    // A real right click on the selection, then the menu's item: ours is the one above "Inspect", the last.
    const at = await select(page, 'p1');
    await x.chooseFromContextMenu(at, ['Up', 'Up', 'Return'], () =>
      widgetAfter(page, 'p1').waitFor({ timeout: 5_000 }).then(() => true, () => false),
    );
    await widgetAfter(page, 'p1').locator('[data-gt="down"]').click();
    await expect.poll(() => widgetAfter(page, 'p1').getAttribute('data-gt-state'), { timeout: 20_000 }).toBe('pending');

    // The keyboard command, with the pointer still over the page (no window manager: focus follows it).
    await select(page, 'p2');
    await x.xdotool('key', '--clearmodifiers', 'alt+shift+g');
    await widgetAfter(page, 'p2').waitFor({ timeout: 20_000 });
    await widgetAfter(page, 'p2').locator('[data-gt="up"]').click();

    const popup = await extensionPage(browser, 'popup.html');
    await syncNow(popup);
    await expect.poll(async () => (await serverRecords()).length, { timeout: 20_000 }).toBe(2);
    const records = await serverRecords();
    const byThumb = Object.fromEntries(records.map((r) => [r.rating.thumb, r.target]));
    expect(byThumb.down).toMatchObject({
      kind: 'other',
      url: `${ORIGIN}/incidents/42`,
      output: 'The model said the outage began when the cache warmed up, which is backwards.',
    });
    expect(byThumb.down.key).toMatch(/^notes\.example\.test:selection:\/incidents\/42:/);
    expect(byThumb.up).toMatchObject({ url: `${ORIGIN}/incidents/42`, output: 'Its second summary blamed the deploy of 14:02 for the p99 latency.' });
  });
});
