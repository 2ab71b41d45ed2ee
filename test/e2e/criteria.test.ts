/**
 * Extra criteria end to end in real Chromium (docs/decisions/0030-criteria.md): an admin publishes
 * a criterion in the extension config; after a sync the widget's detail form on a saved ChatGPT
 * page shows it, and the criterion rated there reaches the server as a record of its own (same
 * target, `criterion` set) beside the overall rating.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { configure, extensionPage, launchWithExtension, savedPage, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';

const URL_ = 'https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db';
const FIRST_KEY = 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a';

let browser: ExtensionBrowser | undefined;
let server: ServerHandle | undefined;
const userDataDir = tempDir('gt-chromium-');
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  // After the browser is closed: it writes to its profile until then.
  fs.rmSync(userDataDir, { recursive: true, force: true });
});

describe('ChatGPT: a published criterion in the detail form', () => {
  it('rates it as a record of its own beside the overall rating', { timeout: 240_000 }, async () => {
    server = await startServer({ dataDir: tempDir('gt-e2e-data-') });
    const admin = await server.createToken('admin', 'e2e-admin');
    const token = await server.createToken('rater', 'e2e-rater');
    const published = await fetch(`${server.url}/v1/extension-config`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ criteria: [{ name: 'correctness', label: 'Correct?' }] }),
    });
    expect(published.status).toBe(200);

    browser = await launchWithExtension(userDataDir);
    await configure(browser, server.url, token);
    // A sync fetches the published config (and the capabilities) before the page opens.
    await syncNow(await extensionPage(browser, 'popup.html'));
    await serveSite(browser.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html'));
    const page = await browser.context.newPage();
    await page.goto(URL_);
    const widget = page.locator('groundtruth-widget').first();
    await widget.waitFor({ timeout: 15_000 });

    await widget.locator('[data-gt="up"]').click();
    await widget.locator('[data-gt="comment"]').click();
    await widget.locator('[data-gt="criterion-correctness-down"]').click();
    await widget.locator('[data-gt="save"]').click();
    await syncNow(await extensionPage(browser, 'popup.html'));

    const res = await fetch(`${server.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
    const items = (await res.json()).items as { criterion?: string; rating: unknown; target: { key: string; output?: string } }[];
    expect(items.map((f) => [f.criterion ?? 'overall', f.target.key, f.rating]).sort()).toEqual([
      ['correctness', FIRST_KEY, { thumb: 'down' }],
      ['overall', FIRST_KEY, { thumb: 'up' }],
    ]);
    expect(items.every((f) => f.target.output === 'はい')).toBe(true);
  });
});
