/**
 * The Firefox half of every-page.test.ts, in real Firefox ESR with the built Firefox extension
 * (one browser for the whole file): every saved and built page in test/fixtures/sites/ gets exactly
 * its widgets at its real address; a rating there syncs to a real server and the popup counts it.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { clickInWidget, configure, extensionPage, launchFirefoxWithExtension, openSavedPage, popupCounts, screenshot, settledWidgets, syncNow, widgetState, type FirefoxBrowser } from './firefox-harness.ts';
import { PAGES } from './site-pages.ts';

let browser: FirefoxBrowser;
let server: ServerHandle;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = await server.createToken('rater', 'e2e-firefox-sites');
  browser = await launchFirefoxWithExtension(tempDir('gt-firefox-'));
  await (await configure(browser, server.url, token)).close();
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

describe('Firefox: every saved and built page', () => {
  for (const [fixture, c] of Object.entries(PAGES)) {
    it(`${fixture}: exactly ${c.widgets} widget(s)`, { timeout: 60_000 }, async () => {
      const page = await openSavedPage(browser, c.url, fixture);
      await page.waitForFunction((n) => document.querySelectorAll('groundtruth-widget').length >= n, { polling: 'mutation', timeout: 20_000 }, c.widgets);
      // No more than that, even after the page changes again and the next scan is done.
      expect(await settledWidgets(page)).toBe(c.widgets);
      expect(await page.$$eval('groundtruth-widget', (ws) => ws.length)).toBe(c.widgets);
      expect(await page.$$eval('groundtruth-widget + groundtruth-widget', (ws) => ws.length)).toBe(0);
      await page.close();
    });
  }
});

describe('Firefox: rate, sync, popup', () => {
  it('a thumbs-up on Claude reaches the server and the popup counts it synced', { timeout: 90_000 }, async () => {
    const page: Page = await openSavedPage(browser, PAGES['claude/chat-simple.html']!.url, 'claude/chat-simple.html');
    await page.waitForSelector('groundtruth-widget');
    await clickInWidget(page, 0, 'up');
    expect(await widgetState(page, 0, /pending|synced/)).toMatch(/pending|synced/);

    const popup = await extensionPage(browser, 'popup.html');
    await syncNow(popup);
    await widgetState(page, 0, /synced/);
    // A fresh popup, as the rater opens it (reload() on a moz-extension:// tab never settles, see the harness).
    const fresh = await extensionPage(browser, 'popup.html');
    expect(await popupCounts(fresh)).toEqual({ pending: 0, synced: 1, rejected: 0 });
    await screenshot(fresh, 'popup-synced');

    const res = await fetch(`${server.url}/v1/feedback?limit=10`, { headers: { Authorization: `Bearer ${token}` } });
    const items = (await res.json()).items as Record<string, any>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ rating: { thumb: 'up' }, target: { kind: 'chat_response', site: 'claude.ai', conversationId: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f' } });
    expect(items[0]!.target.output.length).toBeGreaterThan(0);
    await Promise.all([page.close(), popup.close(), fresh.close()]);
  });
});
