/**
 * Accessibility (issue 15, item 4): axe-core (ADR 0052) in real Chromium on everything a person
 * uses: the widget on a saved ChatGPT page (its bar; rated, with its comment/correction form open
 * and two published criteria; with stars; on a dark page), the popup, the options page, the
 * sign-in page, every page the dashboard's own navigation lists for an admin and for a rater, and
 * the pages behind the lists. Prints one table (page, violation nodes by impact, rules passed) and
 * fails on any serious or critical violation, naming the rule and the nodes. No rule is switched off.
 */
import type { Page } from 'playwright-core';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { seedDashboard } from '../helpers/dashboard-seed.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { blocking, runAxe, table, type AxeRow } from './axe.ts';
import { CHROMIUM, configure, extensionPage, launchWithExtension, savedPage, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';

let server: ServerHandle;
let extension: ExtensionBrowser;
let browser: Browser;
const tokens = { admin: '', analyst: '', alice: '', bob: '' };
const rows: AxeRow[] = [];
let queue = '';

beforeAll(async () => {
  server = await startServer();
  tokens.admin = server.adminToken ?? (await server.createToken('admin', 'e2e-a11y-admin'));
  tokens.analyst = await server.createToken('analyst', 'Ana Analyst');
  tokens.alice = await server.createToken('rater', 'Alice');
  tokens.bob = await server.createToken('rater', 'Bob');
  await seedDashboard(
    (token, method, url, body) =>
      fetch(`${server.url}${url}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    tokens,
  );
  const made = await fetch(`${server.url}/v1/queues`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tokens.analyst}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Accessibility queue', filter: { model: 'gpt-5' }, criteria: ['overall', 'correctness'] }),
  });
  expect(made.status).toBe(201);
  queue = ((await made.json()) as { id: string }).id;
  // Extra criteria in the widget's form (one of thumbs, one of stars): they are checked too.
  const published = await fetch(`${server.url}/v1/extension-config`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ criteria: [{ name: 'correctness', label: 'Correct?' }, { name: 'clarity', label: 'Clear?', scale: 'stars' }] }),
  });
  expect(published.status).toBe(200);
  extension = await launchWithExtension(tempDir('gt-chromium-a11y-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 180_000);

afterAll(async () => {
  if (rows.length) console.log(table(rows));
  await extension?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

/** Runs axe, keeps the row for the table, and fails with every serious or critical finding. */
async function check(page: Page, name: string, include?: string[]): Promise<void> {
  const row = await runAxe(page, name, include);
  rows.push(row);
  expect.soft(blocking(row), `axe: serious or critical violations on ${name}`).toEqual([]);
}

describe('axe-core: extension', () => {
  it('the widget on a saved ChatGPT page: bar, open form, rated, with stars', { timeout: 120_000 }, async () => {
    const options = await configure(extension, server.url, tokens.alice);
    await check(options, 'options');
    const popup = await extensionPage(extension, 'popup.html');
    // A sync brings the published criteria before the page opens.
    await syncNow(popup);
    await check(popup, 'popup');

    await serveSite(extension.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html'));
    const page = await extension.context.newPage();
    await page.goto(`https://chatgpt.com/c/${CONVERSATION}`);
    const widget = page.locator('groundtruth-widget').first();
    await widget.waitFor({ timeout: 20_000 });
    // Open shadow roots (mount.ts): axe walks into them from the host element.
    expect(await widget.evaluate((el) => el.shadowRoot?.mode)).toBe('open');
    await check(page, 'widget (bar)', ['groundtruth-widget']);

    await widget.locator('[data-gt="down"]').click();
    await expect.poll(() => widget.getAttribute('data-gt-state')).toMatch(/pending|synced/);
    await widget.locator('[data-gt="comment"]').click();
    await widget.locator('[data-gt="criterion-clarity-star-5"]').waitFor();
    await check(page, 'widget (rated, form open, criteria)', ['groundtruth-widget']);
    await page.close();

    // Stars: switched on in the options, a fresh page shows them.
    await options.reload();
    await options.locator('input[name=starMode]').check();
    await options.locator('[data-gt="save-settings"]').click();
    await options.locator('[data-gt="save-result"]', { hasText: 'Saved.' }).waitFor();
    const starred = await extension.context.newPage();
    await starred.goto(`https://chatgpt.com/c/${CONVERSATION}`);
    const second = starred.locator('groundtruth-widget').nth(1);
    await second.locator('[data-gt="star-3"]').waitFor({ timeout: 20_000 });
    await second.locator('[data-gt="star-3"]').click();
    await expect.poll(() => second.locator('[data-gt="star-3"]').getAttribute('aria-pressed')).toBe('true');
    await check(starred, 'widget (stars)', ['groundtruth-widget']);
    await starred.close();

    // A dark page: the widget takes its dark colours (theme.ts) and must read on that background.
    await serveSite(extension.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html').replace('<body>', '<body style="background:#212121;color:#ececec">'));
    const dark = await extension.context.newPage();
    await dark.goto(`https://chatgpt.com/c/${CONVERSATION}`);
    const first = dark.locator('groundtruth-widget').first();
    await first.waitFor({ timeout: 20_000 });
    await expect.poll(() => first.getAttribute('data-theme')).toBe('dark');
    await first.locator('[data-gt="comment"]').click();
    await first.locator('[data-gt="comment-text"]').waitFor();
    await check(dark, 'widget (dark page, form open)', ['groundtruth-widget']);
    await dark.close();
  });
});

/** Signs in on the dashboard's own form (Enter in the token field, as a person would). */
async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${server.url}/dashboard`);
  await page.locator('input[name=token]').fill(token);
  await page.locator('input[name=token]').press('Enter');
  await page.locator('nav[aria-label="Dashboard"]').waitFor();
}

/** The pages the dashboard's navigation (layout.tsx, NAV) offers the signed-in user. */
async function navPages(page: Page): Promise<{ label: string; href: string }[]> {
  return page.locator('nav[aria-label="Dashboard"] a').evaluateAll((links) =>
    links.map((a) => ({ label: a.textContent!.trim(), href: (a as HTMLAnchorElement).getAttribute('href')! })),
  );
}

describe('axe-core: dashboard', () => {
  it('the sign-in page, and every page in the navigation for an admin and for a rater', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard`);
    await page.locator('input[name=token]').waitFor();
    await check(page, 'dashboard sign-in');

    await signIn(page, tokens.admin);
    const pages = await navPages(page);
    expect(pages.length).toBeGreaterThan(10);
    for (const { label, href } of pages) {
      const res = await page.goto(`${server.url}${href}`);
      expect(res?.status(), href).toBe(200);
      await check(page, `dashboard ${label} (admin)`);
    }
    // The pages behind the lists: the first link of each kind, followed from its list.
    const details: [string, string, string][] = [
      ['feedback record', '/dashboard/feedback', 'a[href^="/dashboard/feedback/"]'],
      ['subject', '/dashboard/subjects', 'a[href^="/dashboard/subjects/"]'],
      ['review item', '/dashboard/review', '[data-gt="review-open"]'],
      ['new queue', '/dashboard/queues', '[data-gt="new-queue"]'],
      ['queue', '/dashboard/queues', `a[href="/dashboard/queues/${queue}"]`],
      ['queue agreement', `/dashboard/queues/${queue}`, `a[href="/dashboard/queues/${queue}/agreement"]`],
    ];
    for (const [name, list, link] of details) {
      await page.goto(`${server.url}${list}`);
      const href = await page.locator(link).first().getAttribute('href');
      expect(href, `${link} on ${list}`).toBeTruthy();
      const res = await page.goto(new URL(href!, `${server.url}${list}`).href);
      expect(res?.status(), href!).toBe(200);
      await check(page, `dashboard ${name} (admin)`);
    }
    await context.close();

    const raterContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const rater = await raterContext.newPage();
    await signIn(rater, tokens.bob);
    for (const { label, href } of await navPages(rater)) {
      const res = await rater.goto(`${server.url}${href}`);
      expect(res?.status(), href).toBe(200);
      await check(rater, `dashboard ${label} (rater)`);
    }
    // Reviewing an item of a queue: n claims the next one (queue-review.tsx).
    await rater.goto(`${server.url}/dashboard/queues/${queue}`);
    await rater.keyboard.press('n');
    await rater.waitForURL(/\/items\/\d+$/);
    await check(rater, 'dashboard queue item (rater)');
    await raterContext.close();
  });
});
