/**
 * Every page in test/fixtures/sites/ (saved real pages and pages built from the autumn-2026
 * layout facts), in real Chromium with the built extension, served at its real address: exactly
 * one widget per finished answer, and the health visit names the layout the adapter matched, the
 * prompt read. The table below must list every page there (a new page without a line fails).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { SITE_FIXTURES } from '../helpers/sites.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { configure, extensionPage, launchWithExtension, savedPage, screenshot, syncNow, type ExtensionBrowser } from './harness.ts';

interface PageCase {
  url: string;
  /** Widgets once the page settled: answers, less any still streaming. */
  widgets: number;
  /** The layout the health visit reports. */
  layout: string;
}

const PAGES: Record<string, PageCase> = {
  'chatgpt/chat-simple.html': { url: 'https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db', widgets: 6, layout: 'legacy' },
  'chatgpt/2026-09-built.html': { url: 'https://chatgpt.com/c/68f1c2d3-4e5f-8001-a2b3-c4d5e6f7a8b9', widgets: 5, layout: '2026-09' },
  'claude/chat-simple.html': { url: 'https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', widgets: 7, layout: 'legacy' },
  'claude/2026-10-built.html': { url: 'https://claude.ai/chat/7c1d9e2f-3a4b-4c5d-8e6f-9a0b1c2d3e4f', widgets: 3, layout: '2026-10' },
  'gemini/chat-simple.html': { url: 'https://gemini.google.com/app/6cc71b18a6f630bb', widgets: 3, layout: '2026-02' },
  'gemini/deep-research-built.html': { url: 'https://gemini.google.com/app/4f37354a4e8d9334', widgets: 4, layout: '2026-02' },
  'perplexity/chat-simple.html': { url: 'https://www.perplexity.ai/search/perplexitynohtmlgou-zao-wotesu-abc.DEF_12', widgets: 3, layout: '2026-09' },
  'perplexity/2026-09-built.html': { url: 'https://www.perplexity.ai/search/how-long-do-bees-live-Qm3x.Rk7TzOa1b2c3d4e5f', widgets: 3, layout: '2026-09' },
  'copilot/chat-2026-03.html': { url: 'https://copilot.microsoft.com/chats/Zq1xY2w3V4u5T6s7R8p9', widgets: 2, layout: '2026-03' },
  'copilot/2025-built.html': { url: 'https://copilot.microsoft.com/chats/k3Qm9TzR2xWv7LpN4bYc1', widgets: 2, layout: '2025' },
  'grok/chat-2026-03.html': { url: 'https://grok.com/c/0b8f3a2e-6d1c-4e5f-9a7b-2c3d4e5f6a7b', widgets: 2, layout: '2026-03' },
  'deepseek/2026-08-built.html': { url: 'https://chat.deepseek.com/a/chat/s/2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a', widgets: 3, layout: '2026-08' },
  'mistral/2026-08-built.html': { url: 'https://chat.mistral.ai/chat/6d2f8a1c-4b7e-4c9d-a3f5-1e8b0c7d2a94', widgets: 2, layout: '2026-08' },
  'meta/2026-08-built.html': { url: 'https://www.meta.ai/prompt/9c4e2a7b-1d3f-4b6a-8e5c-7f0a2b4d6e81', widgets: 2, layout: '2026-08' },
};

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
