/**
 * The dashboard's review page per item in real Chromium (issue 14, item 3): driven by the keys the
 * page lists (dashboard.js) — a digit rates, `e` goes to the analysis, Esc leaves a field, `s`
 * saves and the next item of the filtered queue opens, Ctrl+Enter saves from inside a field, `n`
 * moves on without saving. What was saved is read back through the API. Never skips.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { CHROMIUM } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
let analyst = '';
const ids: Record<string, string> = {};

const api = async (token: string, method: string, url: string, body?: unknown) =>
  fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  server = await startServer();
  analyst = await server.createToken('analyst', 'Ana');
  const pipeline = await server.createToken('rater', 'pipeline');
  const item = (key: string, createdAt: string) => ({
    key,
    kind: 'error_analysis',
    subject: 'keys_dag',
    model: 'dagnostics-7b',
    createdAt,
    context: { dag_id: 'keys_dag', task_id: 'extract', error_message: `Timeout in ${key}` },
    prediction: { extractedError: 'Timeout', category: 'timeout_error', severity: 'medium', confidence: 0.7, reasoning: 'The source was slow.' },
  });
  const res = await api(pipeline, 'POST', '/v1/items', { items: [item('k1', '2026-03-10T03:00:00Z'), item('k2', '2026-03-10T02:00:00Z'), item('k3', '2026-03-10T01:00:00Z'), item('k4', '2026-03-10T00:30:00Z')] });
  for (const r of (await res.json()).results as { key: string; id: string }[]) ids[r.key] = r.id;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function savedFor(key: string) {
  const items = (await (await api(analyst, 'GET', '/v1/feedback?limit=100')).json()).items as any[];
  return items.find((f) => f.target.key === `item:${key}`);
}

describe('the review page, by keyboard', () => {
  it('rates, corrects and saves with the keys, moving through the filtered queue', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/dashboard`);
    await page.locator('input[name=token]').fill(analyst);
    await page.locator('input[name=token]').press('Enter');
    await page.waitForLoadState('load');

    await page.goto(`${server.url}/dashboard/review?subject=keys_dag`);
    await page.locator('[data-gt="review-start"]').click();
    await page.waitForURL(new RegExp(`/review/items/${ids.k1}\\?subject=keys_dag`));
    await expect.poll(() => page.locator('[data-gt="review-keys"]').textContent()).toContain('Ctrl+Enter');

    // 4 stars, then e → the first analysis field; change the severity; Esc; s saves.
    await page.keyboard.press('4');
    expect(await page.locator('[data-gt="star-4"]').isChecked()).toBe(true);
    await page.keyboard.press('e');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('extractedError');
    await page.locator('[data-gt="field-severity"]').selectOption('high');
    await page.keyboard.press('Escape');
    await page.keyboard.press('s');
    await page.waitForURL(new RegExp(`/review/items/${ids.k2}\\?subject=keys_dag&saved=1`));
    expect(await savedFor('k1')).toMatchObject({ rating: { stars: 4 }, correction: { fields: { severity: 'high', category: 'timeout_error', confidence: 0.7 } } });

    // n moves on without saving; then Ctrl+Enter saves from inside the comment.
    await page.keyboard.press('n');
    await page.waitForURL(new RegExp(`/review/items/${ids.k3}\\?subject=keys_dag$`));
    expect(await savedFor('k2')).toBeUndefined();
    await page.keyboard.press('2');
    await page.keyboard.press('c');
    await page.keyboard.type('slow source, typed: s n 5 are letters here');
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(new RegExp(`/review/items/${ids.k4}\\?subject=keys_dag&saved=1`));
    expect(await savedFor('k3')).toMatchObject({ rating: { stars: 2 }, comment: 'slow source, typed: s n 5 are letters here' });
    expect((await savedFor('k3')).correction).toBeFalsy();
    expect(errors).toEqual([]);
    await context.close();
  });
});
