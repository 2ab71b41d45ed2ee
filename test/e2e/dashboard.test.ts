/**
 * The dashboard in real Chromium against a real server process: an analyst signs in with Enter,
 * every page renders with seeded data (screenshots in test-results/dashboard/), hostile text in
 * prompts, comments, corrections, notes and items stays inert (no dialog, no injected element, no
 * script run), the review queue and notes work from their forms, an analyst cannot open the
 * tokens page, an admin can, and a rater reaches only the rater area. Never skips: without Chromium it fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_SUBJECT, seedDashboard, type SeedResult } from '../helpers/dashboard-seed.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { CHROMIUM, RESULTS_DIR } from './harness.ts';

const SHOTS = path.join(RESULTS_DIR, 'dashboard');

let server: ServerHandle;
let browser: Browser;
let seed: SeedResult;
const tokens = { admin: '', analyst: '', alice: '', bob: '' };
/** Every dialog any page opened (alert/confirm from injected script would land here). */
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}${process.env.CI ? ' (CI=true: real-browser tests must run)' : ''}: apt-get install chromium, or set CHROMIUM_PATH.`);
  }
  server = await startServer();
  tokens.admin = server.adminToken ?? (await server.createToken('admin', 'e2e-admin'));
  tokens.analyst = await server.createToken('analyst', 'Ana Analyst');
  tokens.alice = await server.createToken('rater', 'Alice');
  tokens.bob = await server.createToken('rater', 'Bob');
  seed = await seedDashboard(
    (token, method, url, body) =>
      fetch(`${server.url}${url}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    tokens,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { context, page };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${server.url}/dashboard`);
  await page.locator('input[name=token]').fill(token);
  await page.locator('input[name=token]').press('Enter');
  await page.waitForLoadState('load');
}

/** Nothing the seed's hostile markup would have created exists, and no script of it ran. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.locator('#gt-injected, #gt-injected-script').count()).toBe(0);
  expect(await page.evaluate(() => document.title)).not.toBe('pwned');
  expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
  expect(dialogs).toEqual([]);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  // The first screen too, at full resolution (a long page's full shot is hard to read).
  await page.screenshot({ path: path.join(SHOTS, `${name}.top.png`) });
}

describe('dashboard in Chromium', () => {
  it('an analyst signs in with Enter and every page renders with the seeded data, hostile text inert', async () => {
    const { context, page } = await newPage();
    await signIn(page, tokens.analyst);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Overview');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'gt_dashboard');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    expect(cookies.some((c) => c.value.includes(tokens.analyst))).toBe(false);

    const pages: [string, string, string][] = [
      ['overview', '/dashboard?days=30', 'Overview'],
      ['models', '/dashboard/models?model=gpt-5&by=kind&a=gpt-5&b=gemini-2', 'Models'],
      ['feedback', '/dashboard/feedback', 'Feedback'],
      ['feedback-lowest', '/dashboard/feedback?sort=lowest', 'Feedback'],
      ['record-hostile', `/dashboard/feedback/${seed.hostileFeedbackId}`, 'Feedback record'],
      ['record-plain', `/dashboard/feedback/${seed.plainFeedbackId}`, 'Feedback record'],
      ['review', '/dashboard/review', 'Review queue'],
      ['subjects', '/dashboard/subjects', 'Subjects'],
      ['subject', `/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}`, `Subject: ${HOSTILE_SUBJECT}`],
      ['search', '/dashboard/search?q=onerror', 'Search'],
      ['exports', '/dashboard/exports?format=openai-sft&window=30&count=1', 'Exports'],
    ];
    for (const [name, url, title] of pages) {
      const res = await page.goto(`${server.url}${url}`);
      expect(res?.status(), url).toBe(200);
      expect(await page.locator('h1').textContent()).toBe(title);
      await shot(page, name);
      await expectInert(page);
    }

    // The overview's chart is SVG with a band and a line.
    await page.goto(`${server.url}/dashboard?days=30`);
    expect(await page.locator('svg.trend polygon.band').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.trend polyline.line').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-gt="card-ratings"] .value').textContent()).toBe(String(seed.ratingsLast30));

    // The hostile record: its markup is on screen as text.
    await page.goto(`${server.url}/dashboard/feedback/${seed.hostileFeedbackId}`);
    expect(await page.locator('[data-gt="comment"]').textContent()).toContain('<img src=x onerror=');
    expect(await page.locator('[data-gt="prompt"]').textContent()).toContain('<script id="gt-injected-script">');
    expect(await page.locator('[data-gt="correction-diff"] ins, [data-gt="correction-diff"] del').count()).toBeGreaterThan(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    await expectInert(page);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('searches from the header box, adds a note and rates an item from the review queue', async () => {
    const { context, page } = await newPage();
    await signIn(page, tokens.analyst);
    await page.locator('header input[name=q]').fill('timed out');
    await page.locator('header input[name=q]').press('Enter');
    await page.waitForURL(/\/dashboard\/search\?q=timed/);
    expect(await page.locator('[data-gt="search-results"] li').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-gt="search-results"] mark').first().textContent()).toMatch(/timed/i);

    await page.goto(`${server.url}/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}`);
    await page.locator('textarea[name=body]').fill('Added in the browser: <b>not bold</b>');
    await page.locator('[data-gt="add-note"]').click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('[data-gt="note"]').first().textContent()).toContain('Added in the browser: <b>not bold</b>');
    expect(await page.locator('[data-gt="note"] b').count()).toBe(0);
    await expectInert(page);

    await page.goto(`${server.url}/dashboard/review`);
    const before = await page.locator('[data-gt="review-item"]').count();
    expect(before).toBeGreaterThan(0);
    const first = page.locator('[data-gt="review-item"]').first();
    const key = await first.getAttribute('data-key');
    await first.locator('[data-gt="review-up"]').check();
    await first.locator('summary').filter({ hasText: 'Comment and correction' }).click();
    await first.locator('[data-gt="review-comment"]').fill('confirmed by the on-call engineer');
    await first.locator('[data-gt="review-save"]').click();
    await page.waitForURL(/saved=1/);
    await shot(page, 'review-after-rating');
    expect(await page.locator(`[data-gt="review-item"][data-key="${key}"]`).count()).toBe(0);
    expect(await page.locator('[data-gt="review-item"]').count()).toBe(before - 1);
    await expectInert(page);

    // Exports: count, download through the browser, and the run appears with its manifest.
    await page.goto(`${server.url}/dashboard/exports`);
    await page.locator('[data-gt="export-format"]').selectOption('jsonl');
    await page.locator('select[name=window]').selectOption('all');
    await page.locator('[data-gt="export-count"]').click();
    await page.waitForLoadState('load');
    const matching = Number((await page.locator('[data-gt="export-matching"]').textContent())?.replace(/\D/g, ''));
    expect(matching).toBeGreaterThanOrEqual(seed.ratings);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-gt="export-download"]').click()]);
    const file = await download.path();
    const lines = fs.readFileSync(file!, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(matching);
    expect(download.suggestedFilename()).toMatch(/^groundtruth-jsonl-.*\.jsonl$/);
    await page.goto(`${server.url}/dashboard/exports`);
    await expect.poll(() => page.locator('[data-gt="export-runs"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-gt="export-runs"] tbody tr').first().textContent()).toContain('complete');
    await shot(page, 'exports-after-download');
    await page.locator('[data-gt="export-runs"] a', { hasText: 'manifest' }).first().click();
    await page.waitForLoadState('load');
    expect(await page.locator('[data-gt="manifest"]').textContent()).toContain('"sha256"');
    await expectInert(page);
    await context.close();
  });

  it('an analyst cannot open the tokens page; an admin creates and sees a token once', async () => {
    const { context, page } = await newPage();
    await signIn(page, tokens.analyst);
    expect(await page.locator('nav a[href="/dashboard/tokens"]').count()).toBe(0);
    const res = await page.goto(`${server.url}/dashboard/tokens`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('.notice-error').textContent()).toContain('Only admins');
    await shot(page, 'tokens-analyst-403');
    await context.close();

    const admin = await newPage();
    await signIn(admin.page, tokens.admin);
    await admin.page.goto(`${server.url}/dashboard/tokens`);
    // The token form (the page also has the public keys' form, with its own name field).
    const tokenForm = admin.page.locator('form', { has: admin.page.locator('[data-gt="create-token"]') });
    await tokenForm.locator('input[name=name]').fill('Carol laptop');
    await tokenForm.locator('select[name=role]').selectOption('rater');
    await admin.page.locator('[data-gt="create-token"]').click();
    await admin.page.waitForLoadState('load');
    const secret = (await admin.page.locator('[data-gt="new-token"]').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^gt_/);
    await shot(admin.page, 'tokens-admin-created');
    const check = await fetch(`${server.url}/v1/feedback?limit=1`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(check.status).toBe(200);
    await admin.page.goto(`${server.url}/dashboard/tokens`);
    expect(await admin.page.content()).not.toContain(secret);
    // Sign out: the session is gone.
    await admin.page.locator('[data-gt="sign-out"]').click();
    await admin.page.waitForLoadState('load');
    expect(await admin.page.locator('input[name=token]').count()).toBe(1);
    const after = await admin.page.goto(`${server.url}/dashboard/feedback`);
    expect(after?.status()).toBe(401);
    await admin.context.close();
  });

  it('a rater signs in to the rater area and nothing else', async () => {
    const { context, page } = await newPage();
    await signIn(page, tokens.alice);
    expect(new URL(page.url()).pathname).toBe('/dashboard/queues');
    expect(await page.locator('h1').textContent()).toBe('Your queues');
    expect(await page.locator('nav[aria-label="Dashboard"] a').allTextContents()).toEqual(['Queues', 'My ratings', 'Connect a browser']);
    await shot(page, 'sign-in-rater-area');
    const res = await page.goto(`${server.url}/dashboard/feedback`);
    expect(res?.status()).toBe(403);
    await context.close();
    expect(dialogs).toEqual([]);
  });

  it('a rater reviews a queue with the keys alone: n claims, 4 and u rate the two criteria, s submits', async () => {
    const made = await fetch(`${server.url}/v1/queues`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.analyst}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Keyboard queue', filter: { model: 'gpt-5' }, blind: true, criteria: ['overall', 'correctness'] }),
    });
    expect(made.status).toBe(201);
    const queue = (await made.json()) as { id: string };
    const { context, page } = await newPage();
    await signIn(page, tokens.bob);
    await page.goto(`${server.url}/dashboard/queues/${queue.id}`);
    expect(await page.locator('[data-gt="queue-keys"]').count()).toBe(1);
    await page.keyboard.press('n');
    await page.waitForURL(/\/items\/\d+$/);
    const first = new URL(page.url()).pathname;
    await expectInert(page);
    expect(await page.locator('[data-gt="prediction"]').count()).toBe(0);
    await page.keyboard.press('4');
    await page.keyboard.press('u');
    expect(await page.locator('fieldset[data-criterion="overall"] input[value="4"]').isChecked()).toBe(true);
    expect(await page.locator('fieldset[data-criterion="correctness"] input[value="up"]').isChecked()).toBe(true);
    await shot(page, 'queue-item-rated-by-keys');
    await page.keyboard.press('s');
    await page.waitForURL(/saved=\d+/);
    expect(new URL(page.url()).pathname).not.toBe(first);
    await expectInert(page);
    const list = await fetch(`${server.url}/v1/feedback?queue=${queue.id}`, { headers: { Authorization: `Bearer ${tokens.analyst}` } });
    const items = ((await list.json()) as { items: { criterion?: string; rating: unknown }[] }).items;
    expect(items.map((f) => [f.criterion, f.rating]).sort()).toEqual([
      ['correctness', { thumb: 'up' }],
      ['overall', { stars: 4 }],
    ]);
    // k goes back to the queue.
    await page.keyboard.press('k');
    await page.waitForURL(new RegExp(`/dashboard/queues/${queue.id}$`));
    await context.close();
    expect(dialogs).toEqual([]);
  });
});
