/**
 * Connect without pasting (issue 15, item 3), end to end in real Chromium against the real server
 * process: a rater signs in to the dashboard, makes a code under "Connect a browser", types the
 * server's address and the code into the extension's options in a fresh profile (no token typed
 * there), rates an answer on a saved ChatGPT page, syncs, and the record on the server is that
 * rater's. Every wait is on a condition.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { extensionPage, launchWithExtension, popupCounts, savedPage, screenshot, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';
const FIRST_KEY = 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a';

let browser: ExtensionBrowser | undefined;
let server: ServerHandle | undefined;
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

describe('Connect a browser with a code from the dashboard', () => {
  it('connects a fresh profile with no token typed in the extension, then rates and syncs as that rater', { timeout: 240_000 }, async () => {
    server = await startServer({ dataDir: tempDir('gt-e2e-connect-') });
    const admin = server.adminToken ?? (await server.createToken('admin', 'e2e-admin'));
    const raterToken = await server.createToken('rater', 'e2e-connect-rater');
    browser = await launchWithExtension(tempDir('gt-chromium-connect-'));

    // The rater signs in to the dashboard (in this browser, as a person would) and makes a code.
    const dash = await browser.context.newPage();
    await dash.goto(`${server.url}/dashboard`);
    await dash.locator('input[name=token]').fill(raterToken);
    await dash.locator('input[name=token]').press('Enter');
    await dash.locator('nav a', { hasText: 'Connect a browser' }).click();
    await dash.locator('[data-gt="make-connect-code"]').click();
    const code = (await dash.locator('[data-gt="connect-code"]').textContent({ timeout: 20_000 }))!.trim();
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    const address = (await dash.locator('[data-gt="connect-server"]').textContent())!.trim();
    expect(address).toBe(server.url);
    const raterId = /rater <code>([^<]+)<\/code>/.exec(await dash.content())?.[1];
    expect(raterId).toMatch(/^rater_/);
    await screenshot(dash, 'dashboard-connect-code');

    // In the extension's options: the address and the code; the token field is never touched.
    const options = await extensionPage(browser, 'options.html');
    await options.locator('input[name=serverUrl]').fill(address);
    await options.locator('input[name=connectCode]').fill(code);
    await options.locator('[data-gt="connect"]').click();
    await expect
      .poll(() => options.locator('[data-gt="connect-result"]').textContent(), { timeout: 20_000 })
      .toBe(`Connected to ${server.url} as rater ${raterId} (workspace "default"). Ratings from this browser now sync.`);
    // The token the background stored shows in the (masked) token field, as a pasted one would.
    await expect.poll(() => options.locator('input[name=token]').inputValue(), { timeout: 20_000 }).toMatch(/^gt_/);
    expect(await options.locator('input[name=token]').inputValue()).not.toBe(raterToken);
    await screenshot(options, 'options-connected-with-code');

    // The code is spent: a second try says so in words.
    await options.locator('input[name=connectCode]').fill(code);
    await options.locator('[data-gt="connect"]').click();
    await expect.poll(() => options.locator('[data-gt="connect-result"]').textContent(), { timeout: 20_000 }).toMatch(/HTTP 409.*used already/);

    // Rate an answer on a saved ChatGPT page, and sync.
    await serveSite(browser.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html'));
    const page = await browser.context.newPage();
    await page.goto(`https://chatgpt.com/c/${CONVERSATION}`);
    const widget = page.locator('groundtruth-widget').first();
    await widget.waitFor({ timeout: 20_000 });
    await widget.locator('[data-gt="up"]').click();
    const popup = await extensionPage(browser, 'popup.html');
    await expect.poll(async () => (await popupCounts(popup)).pending + (await popupCounts(popup)).synced, { timeout: 20_000 }).toBe(1);
    await syncNow(popup);
    await expect.poll(() => widget.getAttribute('data-gt-state'), { timeout: 20_000 }).toBe('synced');

    // On the server: one record, the rater's (the same rater id as the dashboard sign-in).
    const res = await fetch(`${server.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const items = (await res.json()).items as Record<string, any>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ raterId, rating: { thumb: 'up' }, target: { key: FIRST_KEY, conversationId: CONVERSATION } });

    // The rater's browsers list it, named after the device, and the rater could revoke it there.
    await dash.goto(`${server.url}/dashboard/connect`);
    await expect.poll(() => dash.locator('[data-gt="my-browsers"] tr', { hasText: 'Chrome on Linux' }).count(), { timeout: 20_000 }).toBe(1);
    expect(await dash.locator('[data-gt="my-browsers"] tr', { hasText: 'Chrome on Linux' }).locator('[data-gt="revoke-browser"]').count()).toBe(1);
  });
});
