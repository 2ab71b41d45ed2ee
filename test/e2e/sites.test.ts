/**
 * Shorter end-to-end checks in real Chromium: Claude, Gemini and Perplexity saved pages get one
 * widget per answer and a rating reaches the server; a page handled by a custom rule the rater
 * writes in the options; and a config an admin publishes (a team rule, a switched-off adapter).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { asDocument, configure, contentReady, extensionPage, launchWithExtension, savedPage, screenshot, serveSite, settledWidgets, syncNow, watchContent, type ExtensionBrowser } from './harness.ts';

let browser: ExtensionBrowser;
let server: ServerHandle;
let token: string;
let popup: Page;

beforeAll(async () => {
  server = await startServer();
  token = await server.createToken('rater', 'e2e-sites');
  // The rules' hosts as the rater would grant them in the options (harness.ts, grantHosts; ADR 0050).
  browser = await launchWithExtension(tempDir('gt-chromium-'), { grantHosts: ['https://airflow.example.test/*', 'https://grafana.example.test/*'] });
  await configure(browser, server.url, token);
  await watchContent(browser.context);
  popup = await extensionPage(browser, 'popup.html');
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function records(): Promise<Record<string, any>[]> {
  const res = await fetch(`${server.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
  return (await res.json()).items;
}

async function rateFirst(page: Page, thumb: 'up' | 'down') {
  const widget = page.locator('groundtruth-widget').first();
  await widget.locator(`[data-gt="${thumb}"]`).click();
  await expect.poll(() => widget.getAttribute('data-gt-state')).toMatch(/pending|synced/);
  await syncNow(popup);
  await expect.poll(() => widget.getAttribute('data-gt-state'), { timeout: 10_000 }).toBe('synced');
}

const SITES = [
  { name: 'Claude', origin: 'https://claude.ai', url: 'https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', fixture: 'claude/chat-simple.html', answers: 7, site: 'claude.ai', conversationId: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f' },
  { name: 'Gemini', origin: 'https://gemini.google.com', url: 'https://gemini.google.com/app/6cc71b18a6f630bb', fixture: 'gemini/chat-simple.html', answers: 3, site: 'gemini.google.com', conversationId: '6cc71b18a6f630bb' },
  { name: 'Perplexity', origin: 'https://www.perplexity.ai', url: 'https://www.perplexity.ai/search/perplexitynohtmlgou-zao-wotesu-abc.DEF_12', fixture: 'perplexity/chat-simple.html', answers: 3, site: 'perplexity.ai', conversationId: undefined },
] as const;

describe('built-in sites', () => {
  for (const s of SITES) {
    it(`${s.name}: one widget per answer, a rating reaches the server`, { timeout: 90_000 }, async () => {
      await serveSite(browser.context, s.origin, savedPage(s.fixture));
      const page = await browser.context.newPage();
      await page.goto(s.url);
      await page.locator('groundtruth-widget').nth(s.answers - 1).waitFor({ timeout: 15_000 });
      // No more than one per answer, even after the page changes again and the next scan is done.
      expect(await settledWidgets(page)).toBe(s.answers);
      expect(await page.locator('groundtruth-widget').count()).toBe(s.answers);
      await rateFirst(page, 'up');
      await screenshot(page, `${s.name.toLowerCase()}-synced`);
      const mine = (await records()).filter((r) => r.target.site === s.site);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ rating: { thumb: 'up' }, target: { kind: 'chat_response' } });
      expect(mine[0]!.target.output.length).toBeGreaterThan(0);
      expect(mine[0]!.target.prompt.length).toBeGreaterThan(0);
      if (s.conversationId) expect(mine[0]!.target.conversationId).toBe(s.conversationId);
      await page.close();
    });
  }
});

const AIRFLOW_PAGE = asDocument(`
  <h1>DAG etl_daily · run 2026-02-01</h1>
  <section class="task"><h2>load_orders failed</h2>
    <p class="question">Why did load_orders fail?</p>
    <div class="ai-analysis">The task failed because the upstream table orders_raw was empty: the extract finished with 0 rows after the vendor API returned 503. Ask data-oncall@example.com to rerun it.</div>
    <span class="model">gpt-4o-mini</span>
  </section>`, 'Airflow');

describe('any other page', () => {
  it('a custom rule written in the options page puts a widget on an Airflow analysis', { timeout: 90_000 }, async () => {
    const options = await extensionPage(browser, 'options.html');
    await options.locator('[data-gt="add-rule"]').click();
    await options.locator('input[name=rule-0-id]').fill('airflow');
    await options.locator('input[name=rule-0-urlPattern]').fill('https://airflow.example.test/dags/*');
    await options.locator('input[name=rule-0-outputSelector]').fill('.ai-analysis');
    await options.locator('select[name=rule-0-kind]').selectOption('error_analysis');
    await options.locator('input[name=rule-0-promptSelector]').fill('.question');
    await options.locator('input[name=rule-0-modelSelector]').fill('.model');
    await options.locator('input[name=rule-0-subjectUrlRegex]').fill('dags/([^/]+)');
    await options.locator('[data-gt="save-settings"]').click();
    await options.locator('[data-gt="save-result"]', { hasText: 'Saved.' }).waitFor();
    await screenshot(options, 'options-custom-rule');

    await serveSite(browser.context, 'https://airflow.example.test', AIRFLOW_PAGE);
    const page = await browser.context.newPage();
    await page.goto('https://airflow.example.test/dags/etl_daily/grid');
    await page.locator('groundtruth-widget').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('groundtruth-widget').count()).toBe(1);
    await rateFirst(page, 'down');
    await screenshot(page, 'custom-rule-synced');
    const [rec] = (await records()).filter((r) => r.target.kind === 'error_analysis');
    expect(rec).toMatchObject({
      rating: { thumb: 'down' },
      target: { kind: 'error_analysis', subject: 'etl_daily', model: 'gpt-4o-mini', prompt: 'Why did load_orders fail?' },
    });
    // Redaction is on by default: the address never left the browser, the rest arrives as written.
    expect(rec!.target.output).toContain('upstream table orders_raw was empty');
    expect(rec!.target.output).toContain('Ask [EMAIL] to rerun it.');
    expect(JSON.stringify(rec)).not.toContain('data-oncall@example.com');
    await page.close();
  });

  it('a config an admin publishes reaches the extension at sync: a team rule, and an adapter switched off', { timeout: 90_000 }, async () => {
    const admin = await server.createToken('admin', 'e2e-admin');
    const put = await fetch(`${server.url}/v1/extension-config`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        rules: [{ id: 'grafana', urlPattern: 'https://grafana.example.test/d/*', outputSelector: '.ai-insight', kind: 'investigation' }],
        disabledAdapters: ['gemini'],
      }),
    });
    expect(put.status).toBe(200);
    await syncNow(popup);

    await serveSite(browser.context, 'https://grafana.example.test', asDocument('<h1>Latency</h1><div class="ai-insight">p99 doubled after the deploy of 14:02.</div>'));
    const grafana = await browser.context.newPage();
    await grafana.goto('https://grafana.example.test/d/abc/latency');
    await grafana.locator('groundtruth-widget').first().waitFor({ timeout: 15_000 });
    expect(await grafana.locator('groundtruth-widget').count()).toBe(1);

    const gemini = await browser.context.newPage();
    await gemini.goto('https://gemini.google.com/app/6cc71b18a6f630bb');
    await gemini.locator('model-response').first().waitFor();
    // The content script has its config and runs no adapter here: nothing will be placed.
    expect((await contentReady(gemini)).adapters).not.toContain('gemini');
    expect(await gemini.locator('groundtruth-widget').count()).toBe(0);

    const options = await extensionPage(browser, 'options.html');
    await expect.poll(() => options.locator('[data-gt="server-rules"]').textContent()).toContain('grafana');
    expect(await options.locator('body').textContent()).toContain('Switched off by your admin: gemini.');
    await Promise.all([grafana.close(), gemini.close(), options.close()]);
  });
});
