/**
 * Every page in test/fixtures/sites/ (saved real pages and pages built from the autumn-2026
 * layout facts), in real Chromium with the built extension, served at its real address: exactly
 * one widget per finished answer, and the health visit names the layout the adapter matched, the
 * prompt read. The table (./site-pages.ts) must list every page there (a new page without a line fails).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { SITE_FIXTURES } from '../helpers/sites.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { configure, extensionPage, launchWithExtension, savedPage, screenshot, syncNow, type ExtensionBrowser } from './harness.ts';
import { PAGES } from './site-pages.ts';

let browser: ExtensionBrowser;
let server: ServerHandle;

beforeAll(async () => {
  server = await startServer();
  const token = await server.createToken('rater', 'e2e-every-page');
  browser = await launchWithExtension(tempDir('gt-chromium-'));
  await configure(browser, server.url, token);
  // The first sync brings the server's capabilities: the content script then counts visits.
  const popup = await extensionPage(browser, 'popup.html');
  await syncNow(popup);
  await popup.close();
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

describe('every saved and built page', () => {
  it('the table lists every page in test/fixtures/sites/', () => {
    const pages = fs
      .readdirSync(SITE_FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(SITE_FIXTURES, d.name)).filter((f) => f.endsWith('.html')).map((f) => `${d.name}/${f}`));
    expect(pages.sort()).toEqual(Object.keys(PAGES).sort());
  });

  for (const [fixture, c] of Object.entries(PAGES)) {
    it(`${fixture}: exactly ${c.widgets} widget(s), layout ${c.layout}`, { timeout: 60_000 }, async () => {
      const origin = new URL(c.url).origin;
      await browser.context.route(`${origin}/**`, (route) =>
        route.request().resourceType() === 'document'
          ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: savedPage(fixture) })
          : route.fulfill({ status: 404, body: '' }),
      );
      const page = await browser.context.newPage();
      await page.addInitScript(() => {
        (globalThis as any).__visits = [];
        document.addEventListener('groundtruth:visit', (e) => (globalThis as any).__visits.push(JSON.parse((e as CustomEvent).detail)));
      });
      await page.goto(c.url);
      // The visit is counted right after the scan that found the answers.
      await page.waitForFunction(() => (globalThis as any).__visits.length > 0, undefined, { timeout: 20_000 });
      await expect.poll(() => page.locator('groundtruth-widget').count()).toBe(c.widgets);
      const visits = await page.evaluate(() => (globalThis as any).__visits);
      expect(visits).toHaveLength(1);
      expect(visits[0]).toMatchObject({ layout: c.layout, prompt: true });
      expect(visits[0].answers).toBeGreaterThanOrEqual(c.widgets);
      // Each widget sits right after its own anchor: never two in a row.
      expect(await page.locator('groundtruth-widget + groundtruth-widget').count()).toBe(0);
      await screenshot(page, `page-${fixture.replace(/[/.]/g, '-')}`);
      await browser.context.unroute(`${origin}/**`);
      await page.close();
    });
  }
});
