/**
 * The Firefox half of selection-no-grant.test.ts: on a page the extension has no access to, the
 * real gestures that grant `activeTab` (the "Rate with Groundtruth" menu item and the keyboard
 * command) open a widget under the selection, and the rating syncs. A windowed Firefox ESR on a
 * virtual X display, with real X input (xvfb.ts).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { asDocument } from './harness.ts';
import { configure, extensionPage, launchFirefoxWithExtension, serveSite, syncNow, type FirefoxBrowser } from './firefox-harness.ts';
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
let browser: FirefoxBrowser;
let admin: string;

beforeAll(async () => {
  x = await startXvfb();
  server = await startServer({ dataDir: tempDir('gt-e2e-ff-selection-') });
  admin = server.adminToken ?? (await server.createToken('admin', 'e2e-admin'));
  browser = await launchFirefoxWithExtension(tempDir('gt-firefox-selection-'), { display: x.display });
  serveSite(browser, ORIGIN, PAGE);
  await (await configure(browser, server.url, await server.createToken('rater', 'e2e-ff-selection'))).close();
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await x?.stop().catch(() => undefined);
});

async function select(page: Page, id: string): Promise<{ x: number; y: number }> {
  return page.evaluate((id) => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(id)!);
    const sel = getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    const box = range.getBoundingClientRect();
    // mozInnerScreenX/Y: the page's top left corner on the screen, whatever the window's bars.
    const w = window as unknown as { mozInnerScreenX: number; mozInnerScreenY: number };
    return { x: Math.round(w.mozInnerScreenX + box.left + 20), y: Math.round(w.mozInnerScreenY + box.top + box.height / 2) };
  }, id);
}

const widgetAfter = (page: Page, id: string) =>
  page.waitForSelector(`#${id} + groundtruth-widget`, { timeout: 20_000 });

async function clickIn(page: Page, id: string, hook: string) {
  const handle = await page.waitForFunction(
    (i, h) => document.querySelector(`#${i} + groundtruth-widget`)?.shadowRoot?.querySelector(`[data-gt="${h}"]`),
    { polling: 'mutation' },
    id,
    hook,
  );
  await (handle as unknown as { click(): Promise<void> }).click();
}

describe('Firefox: rating a selection on a page with no grant', () => {
  it('the keyboard command and the context menu open a widget there; the rating syncs', { timeout: 180_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${ORIGIN}/incidents/42`);
    await page.bringToFront();
    expect(await page.evaluate(() => (globalThis as any).__gtContent.ready)).toBeNull();

    // The keyboard command, over the page (no window manager: X focus follows the pointer).
    const at = await select(page, 'p2');
    await x.xdotool('mousemove', String(at.x), String(at.y));
    await x.xdotool('key', '--clearmodifiers', 'alt+shift+g');
    await widgetAfter(page, 'p2');
    await clickIn(page, 'p2', 'up');

    // A real right click on the other selection, then the menu's item: in Firefox an extension's
    // item is the selection menu's last.
    const at1 = await select(page, 'p1');
    await x.chooseFromContextMenu(at1, ['Up', 'Return'], () =>
      page.waitForSelector('#p1 + groundtruth-widget', { timeout: 5_000 }).then(() => true, () => false),
    );
    await clickIn(page, 'p1', 'down');

    const popup = await extensionPage(browser, 'popup.html');
    await syncNow(popup);
    const records = async () =>
      ((await (await fetch(`${server.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${admin}` } })).json()).items as Record<string, any>[]);
    await expect.poll(async () => (await records()).length, { timeout: 20_000 }).toBe(2);
    const byThumb = Object.fromEntries((await records()).map((r) => [r.rating.thumb, r.target]));
    expect(byThumb.up).toMatchObject({ kind: 'other', url: `${ORIGIN}/incidents/42`, output: 'Its second summary blamed the deploy of 14:02 for the p99 latency.' });
    expect(byThumb.down).toMatchObject({ url: `${ORIGIN}/incidents/42`, output: 'The model said the outage began when the cache warmed up, which is backwards.' });
  });
});
