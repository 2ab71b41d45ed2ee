/**
 * The Firefox half of chatgpt-offline-sync.test.ts, in real Firefox ESR: a rating made while the
 * server is down survives a browser restart (same profile, the extension installed again with its
 * storage kept) and reaches the server on "Sync now", exactly once, with prompt, output and
 * conversation id.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { freePort, startServer, type ServerHandle } from '../helpers/server.ts';
import { clickInWidget, configure, extensionPage, launchFirefoxWithExtension, openSavedPage, popupCounts, screenshot, syncNow, typeInWidget, waitForText, widgetState, type FirefoxBrowser } from './firefox-harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';
const URL_ = `https://chatgpt.com/c/${CONVERSATION}`;

let browser: FirefoxBrowser | undefined;
let server: ServerHandle | undefined;
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function openChat(b: FirefoxBrowser) {
  const page = await openSavedPage(b, URL_, 'chatgpt/chat-simple.html');
  await page.waitForFunction(() => document.querySelectorAll('groundtruth-widget').length === 6, { polling: 'mutation', timeout: 15_000 });
  return page;
}

describe('Firefox: rate offline, restart, sync', () => {
  it('keeps the rating through a restart and syncs it exactly once', { timeout: 240_000 }, async () => {
    const userDataDir = tempDir('gt-firefox-');
    const dataDir = tempDir('gt-e2e-data-');
    const port = await freePort();
    server = await startServer({ dataDir, port });
    const token = await server.createToken('rater', 'e2e-firefox');
    await server.stop();
    server = undefined;

    browser = await launchFirefoxWithExtension(userDataDir);
    await (await configure(browser, `http://127.0.0.1:${port}`, token)).close();

    // Thumbs down with a correction, server down: pending.
    const page = await openChat(browser);
    await clickInWidget(page, 0, 'down');
    await clickInWidget(page, 0, 'comment');
    await typeInWidget(page, 0, 'correction-text', 'いいえ — the right answer is no.');
    await clickInWidget(page, 0, 'save');
    await widgetState(page, 0, /^pending$/);

    // The "soon after a rating" sync fails against the stopped server and says so.
    const popup = await extensionPage(browser, 'popup.html');
    await waitForText(popup, '[data-gt="sync-error"]', /Cannot reach the server/);
    expect(await popupCounts(popup)).toEqual({ pending: 1, synced: 0, rejected: 0 });
    await screenshot(popup, 'popup-offline');

    // Close Firefox (the temporary add-on goes with it) and start it again on the same profile.
    await browser.close();
    browser = await launchFirefoxWithExtension(userDataDir);
    const again = await openChat(browser);
    await widgetState(again, 0, /^pending$/);

    // The server comes up (same data, same port); Sync now in the popup.
    server = await startServer({ dataDir, port });
    const popup2 = await extensionPage(browser, 'popup.html');
    expect((await popupCounts(popup2)).pending).toBe(1);
    await syncNow(popup2);
    expect(await popupCounts(popup2)).toEqual({ pending: 0, synced: 1, rejected: 0 });
    await widgetState(again, 0, /^synced$/);

    const res = await fetch(`${server.url}/v1/feedback?limit=10`, { headers: { Authorization: `Bearer ${token}` } });
    const stored = (await res.json()).items as Record<string, any>[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      rating: { thumb: 'down' },
      correction: { output: 'いいえ — the right answer is no.' },
      target: {
        kind: 'chat_response',
        key: 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a',
        site: 'chatgpt.com',
        conversationId: CONVERSATION,
        prompt: 'ChatGPTのhtml構造をテストするための質問です。「はい」とだけ答えて。',
        output: 'はい',
      },
    });
  });
});
