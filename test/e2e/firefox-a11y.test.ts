/**
 * The Firefox half of a11y.test.ts (issue 15, item 4; ADR 0052): axe-core in real Firefox ESR with
 * the built Firefox extension, on the options page, the popup and the widget on a saved ChatGPT
 * page (its bar, then rated with the comment form open). Prints the table; fails on any serious or
 * critical violation, naming the rule and the nodes. The dashboard is checked in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { blocking, runAxe, table, type AxeRow, type EvaluatingPage } from './axe.ts';
import { clickInWidget, configure, extensionPage, launchFirefoxWithExtension, openSavedPage, widgetState, type FirefoxBrowser } from './firefox-harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';

let browser: FirefoxBrowser;
let server: ServerHandle;
let token: string;
const rows: AxeRow[] = [];

beforeAll(async () => {
  server = await startServer();
  token = await server.createToken('rater', 'e2e-firefox-a11y');
  browser = await launchFirefoxWithExtension(tempDir('gt-firefox-a11y-'));
}, 120_000);
afterAll(async () => {
  if (rows.length) console.log(table(rows.map((r) => ({ ...r, page: `firefox ${r.page}` }))));
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function check(page: EvaluatingPage, name: string, include?: string[]): Promise<void> {
  const row = await runAxe(page, name, include);
  rows.push(row);
  expect.soft(blocking(row), `axe (Firefox): serious or critical violations on ${name}`).toEqual([]);
}

describe('Firefox: axe-core on the extension', () => {
  it('options, popup, and the widget on a saved ChatGPT page', { timeout: 120_000 }, async () => {
    const options = await configure(browser, server.url, token);
    await check(options, 'options');
    const popup = await extensionPage(browser, 'popup.html');
    await popup.waitForSelector('[data-gt="pending-count"]');
    await check(popup, 'popup');

    const page = await openSavedPage(browser, `https://chatgpt.com/c/${CONVERSATION}`, 'chatgpt/chat-simple.html');
    await page.waitForFunction(() => document.querySelector('groundtruth-widget')?.shadowRoot?.querySelector('[data-gt="up"]'), { polling: 'mutation', timeout: 20_000 });
    await check(page, 'widget (bar)', ['groundtruth-widget']);
    await clickInWidget(page, 0, 'down');
    await widgetState(page, 0, /pending|synced/);
    await clickInWidget(page, 0, 'comment');
    await page.waitForFunction(() => document.querySelector('groundtruth-widget')?.shadowRoot?.querySelector('[data-gt="comment-text"]'), { polling: 'mutation' });
    await check(page, 'widget (rated, form open)', ['groundtruth-widget']);
  });
});
