/**
 * The heart of the product, end to end in real Chromium: a rating made while the server is down
 * survives a browser restart and reaches the server on "Sync now", exactly once, with the model,
 * prompt, output and conversation id; a re-vote updates that one record.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { freePort, startServer, type ServerHandle } from '../helpers/server.ts';
import { configure, extensionPage, launchWithExtension, popupCounts, savedPage, screenshot, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';
const URL_ = `https://chatgpt.com/c/${CONVERSATION}`;
const FIRST_KEY = 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a';

let browser: ExtensionBrowser | undefined;
let server: ServerHandle | undefined;
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function openChat(b: ExtensionBrowser) {
  await serveSite(b.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html'));
  const page = await b.context.newPage();
  await page.goto(URL_);
  await page.locator('groundtruth-widget').nth(5).waitFor({ timeout: 15_000 });
  return page;
}

async function records(url: string, token: string) {
  const res = await fetch(`${url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()).items as Record<string, any>[];
}

describe('ChatGPT: rate offline, restart, sync', () => {
  it('keeps the rating through a restart and syncs it exactly once; a re-vote stays one record', { timeout: 240_000 }, async () => {
    const userDataDir = tempDir('gt-chromium-');
    const dataDir = tempDir('gt-e2e-data-');
    const port = await freePort();

    // A rater token from the real CLI; then the server goes down.
    server = await startServer({ dataDir, port });
    const token = await server.createToken('rater', 'e2e-rater');
    await server.stop();
    server = undefined;
    const serverUrl = `http://127.0.0.1:${port}`;

    browser = await launchWithExtension(userDataDir);
    const options = await configure(browser, serverUrl, token);
    // Test connection says in words that the server is not there.
    await options.locator('[data-gt="test-connection"]').click();
    await expect.poll(() => options.locator('[data-gt="connection-result"]').textContent()).toBe(
      `Cannot reach the server at ${serverUrl}. Is it running, and is the address right?`,
    );
    await screenshot(options, 'options-unreachable');

    // One widget per answer, nothing rated yet.
    const page = await openChat(browser);
    const answers = await page.locator('article[data-turn="assistant"]').count();
    expect(answers).toBe(6);
    await expect.poll(() => page.locator('groundtruth-widget').count()).toBe(answers);
    expect(await page.locator('groundtruth-widget[data-gt-state="none"]').count()).toBe(answers);

    // Thumbs down with a correction, server down: pending.
    const widget = page.locator('groundtruth-widget').first();
    await widget.locator('[data-gt="down"]').click();
    await widget.locator('[data-gt="comment"]').click();
    await widget.locator('[data-gt="correction-text"]').fill('いいえ — the right answer is no.');
    await widget.locator('[data-gt="save"]').click();
    await expect.poll(() => widget.getAttribute('data-gt-state')).toBe('pending');
    await screenshot(page, 'chatgpt-pending');

    // Give the "soon after a rating" sync time to fail against the stopped server.
    const popup = await extensionPage(browser, 'popup.html');
    await expect.poll(async () => (await popup.locator('[data-gt="sync-error"]').textContent().catch(() => null)) ?? '', { timeout: 15_000 }).toMatch(/Cannot reach the server/);
    expect(await popupCounts(popup)).toEqual({ pending: 1, synced: 0, rejected: 0 });
    await screenshot(popup, 'popup-offline');

    // Close the browser and start it again on the same profile.
    await browser.close();
    browser = await launchWithExtension(userDataDir);
    const again = await openChat(browser);
    await expect.poll(() => again.locator('groundtruth-widget').first().getAttribute('data-gt-state')).toBe('pending');

    // The server comes up (same data, same port); Sync now in the popup.
    server = await startServer({ dataDir, port });
    const popup2 = await extensionPage(browser, 'popup.html');
    expect((await popupCounts(popup2)).pending).toBe(1);
    await syncNow(popup2);
    expect(await popupCounts(popup2)).toEqual({ pending: 0, synced: 1, rejected: 0 });
    // The retry timer armed by the failed start-up sync may have sent the rating a moment before
    // "Sync now" did; then this sync sent nothing and says so by leaving the count out. Either
    // way it is one record on the server (below).
    await expect.poll(() => popup2.locator('[data-gt="last-sync"]').textContent()).toMatch(/^Last sync (just now|\d+ seconds? ago)( \(1 sent\))?\.$/);
    await screenshot(popup2, 'popup-synced');

    const stored = await records(server.url, token);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      rating: { thumb: 'down' },
      correction: { output: 'いいえ — the right answer is no.' },
      target: {
        kind: 'chat_response',
        key: FIRST_KEY,
        site: 'chatgpt.com',
        model: 'gpt-5-2',
        conversationId: CONVERSATION,
        prompt: 'ChatGPTのhtml構造をテストするための質問です。「はい」とだけ答えて。',
        output: 'はい',
      },
    });
    expect(stored[0]!.target.outputHash).toMatch(/^[0-9a-f]{64}$/);
    // The open tab hears about the sync.
    await expect.poll(() => again.locator('groundtruth-widget').first().getAttribute('data-gt-state')).toBe('synced');

    // Re-vote: thumbs up instead. Still one record, now up.
    const first = again.locator('groundtruth-widget').first();
    await first.locator('[data-gt="up"]').click();
    await expect.poll(() => first.getAttribute('data-gt-state')).toMatch(/pending|synced/);
    await syncNow(popup2);
    await expect.poll(async () => (await records(server!.url, token)).map((r) => r.rating.thumb)).toEqual(['up']);
    const after = await records(server.url, token);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(stored[0]!.id);
    await expect.poll(() => first.getAttribute('data-gt-state')).toBe('synced');
    await screenshot(again, 'chatgpt-synced');
    fs.rmSync(userDataDir, { recursive: true, force: true });
  });
});
