/**
 * Issue 17, "Must show": the widget inside someone else's app, end to end in real Chromium. A page
 * on another origin (a second local port) carries the README's snippet with a public key made for
 * that origin: rate, go offline, rate again (and re-vote), reload, come back online → exactly the
 * right records on the server, with the key as their source. The same key on an origin that is not
 * on its allowlist stores nothing; the key cannot read anything back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { hostChatPage, launchChromium, startHostServer, type HostServer } from './embed-host.ts';
import { screenshot } from './harness.ts';

const KEY_NAME = 'acme-chat';
const ANSWERS = [
  { prompt: 'Is 2027 a leap year?', answer: 'No: 2027 is not divisible by 4.', model: 'acme-llm-2' },
  { prompt: 'Capital of Australia?', answer: 'Sydney.', model: 'acme-llm-2' },
  { prompt: 'Undo the last git commit?', answer: 'git reset --soft HEAD~1', model: 'acme-llm-2' },
];

let server: ServerHandle | undefined;
const hosts: HostServer[] = [];
let closeBrowser: (() => Promise<void>) | undefined;
afterAll(async () => {
  await closeBrowser?.().catch(() => undefined);
  for (const h of hosts) await h.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function api(method: string, path: string, token: string, body?: unknown) {
  return fetch(`${server!.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function records(token: string) {
  const res = await api('GET', '/v1/feedback?limit=100', token);
  expect(res.status).toBe(200);
  return ((await res.json()).items as Record<string, any>[]).sort((a, b) => a.target.key.localeCompare(b.target.key));
}

const widget = (page: Page, n: number) => page.locator('groundtruth-rating').nth(n);
const state = (page: Page, n: number) => widget(page, n).getAttribute('data-gt-state');

/** Resolves when the page's widgets have been upgraded and shown their saved states. */
async function openChat(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as any).__gtReady = 0;
    document.addEventListener('groundtruth-rating:ready', () => (window as any).__gtReady++);
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as any).__gtReady > 0);
  return page;
}

describe('<groundtruth-rating> on another origin, with a public key', () => {
  it('rates offline across a reload, syncs exactly the right records, refuses other origins, cannot read', { timeout: 240_000 }, async () => {
    server = await startServer();
    const admin = server.adminToken!;
    expect(admin).toBeTruthy();

    // The customer's app on a second port, and an origin the key does not list on a third.
    let key = '';
    const app = await startHostServer({ '/chat': () => hostChatPage(server!.url, key, ANSWERS) });
    const stranger = await startHostServer({ '/chat': () => hostChatPage(server!.url, key, ANSWERS) });
    hosts.push(app, stranger);

    const created = await api('POST', '/v1/public-keys', admin, { name: KEY_NAME, origins: [app.origin] });
    expect(created.status).toBe(201);
    key = (await created.json()).key;
    expect(key).toMatch(/^gtpk_/);

    const browser = await launchChromium();
    closeBrowser = () => browser.close();
    const context = await browser.newContext();
    const page = await openChat(context, `${app.origin}/chat`);
    expect(await page.locator('groundtruth-rating').count()).toBe(3);
    for (let i = 0; i < 3; i++) expect(await state(page, i)).toBe('none');

    // Online: a thumb up on the first answer reaches the server.
    await widget(page, 0).locator('[data-gt="up"]').click();
    await expect.poll(() => state(page, 0), { timeout: 20_000 }).toBe('synced');
    await screenshot(page, 'embed-synced');
    // Themable from the page: a custom property set on the element reaches inside its shadow root.
    await page.addStyleTag({ content: 'groundtruth-rating { --gt-accent: rgb(255, 0, 0); }' });
    expect(await widget(page, 0).locator('[data-gt="up"]').evaluate((b) => getComputedStyle(b).color)).toBe('rgb(255, 0, 0)');

    // Offline: a thumb down with a comment on the second, and a re-vote (down) on the first.
    await context.setOffline(true);
    await widget(page, 1).locator('[data-gt="down"]').click();
    await widget(page, 1).locator('[data-gt="comment"]').click();
    await widget(page, 1).locator('[data-gt="comment-text"]').fill('Canberra. Ask me at jane.doe@example.com');
    await widget(page, 1).locator('[data-gt="save"]').click();
    await widget(page, 0).locator('[data-gt="down"]').click();
    await expect.poll(() => state(page, 1), { timeout: 20_000 }).toBe('pending');
    await expect.poll(() => state(page, 0), { timeout: 20_000 }).toBe('pending');
    await screenshot(page, 'embed-pending');

    // The page reloads while the server stays out of reach (its /v1/sync refused at the network).
    let refusedSyncs = 0;
    const refuse = (route: import('playwright-core').Route) => {
      refusedSyncs++;
      return route.abort('internetdisconnected');
    };
    await context.route(`${server.url}/v1/sync`, refuse);
    await context.setOffline(false);
    await page.reload();
    await page.waitForFunction(() => (window as any).__gtReady > 0);
    expect(await state(page, 0)).toBe('pending');
    expect(await state(page, 1)).toBe('pending');
    expect(await state(page, 2)).toBe('none');
    // The load's flush was tried, and refused.
    await expect.poll(() => refusedSyncs, { timeout: 20_000 }).toBeGreaterThan(0);
    // The server holds only the first vote, as it was.
    expect((await records(admin)).map((r) => r.rating)).toEqual([{ thumb: 'up' }]);

    // Back online: the `online` event sends what waited.
    await context.setOffline(true);
    await context.unroute(`${server.url}/v1/sync`, refuse);
    await context.setOffline(false);
    await expect.poll(() => state(page, 0), { timeout: 20_000 }).toBe('synced');
    await expect.poll(() => state(page, 1), { timeout: 20_000 }).toBe('synced');

    const stored = await records(admin);
    expect(stored).toHaveLength(2);
    for (const r of stored) {
      expect(r.source).toEqual({ type: 'human', channel: 'embed', name: KEY_NAME });
      expect(new URL(r.target.url).origin).toBe(app.origin);
      expect(r.target.model).toBe('acme-llm-2');
    }
    const first = stored.find((r) => r.target.output === ANSWERS[0]!.answer)!;
    const second = stored.find((r) => r.target.output === ANSWERS[1]!.answer)!;
    expect(first.rating).toEqual({ thumb: 'down' }); // the re-vote updated the one record
    expect(first.target.prompt).toBe(ANSWERS[0]!.prompt);
    expect(second.rating).toEqual({ thumb: 'down' });
    expect(second.comment).toMatch(/^Canberra\. Ask me at /);
    expect(second.comment).not.toContain('jane.doe@example.com'); // redacted in the page, before it was stored
    expect(first.raterId).toBe(second.raterId); // one anonymous rater: this browser

    // The same key on an origin it does not list: refused, nothing stored.
    const other = await openChat(context, `${stranger.origin}/chat`);
    const failedSync = other.waitForEvent('requestfailed', (r) => r.url() === `${server!.url}/v1/sync`);
    await widget(other, 2).locator('[data-gt="up"]').click();
    await failedSync;
    expect(['pending', 'rejected']).toContain(await state(other, 2));
    expect(await records(admin)).toHaveLength(2);

    // The demo page on the server itself, under its CSP, with a key for the server's own origin.
    const demoKey = await api('POST', '/v1/public-keys', admin, { name: 'demo', origins: [server.url] });
    expect(demoKey.status).toBe(201);
    const cspErrors: string[] = [];
    const demo = await context.newPage();
    demo.on('console', (m) => m.type() === 'error' && cspErrors.push(m.text()));
    await demo.goto(`${server.url}/embed/demo?key=${encodeURIComponent((await demoKey.json()).key)}`);
    await widget(demo, 0).locator('[data-gt="up"]').click();
    await expect.poll(() => state(demo, 0), { timeout: 20_000 }).toBe('synced');
    expect(cspErrors).toEqual([]);
    await screenshot(demo, 'embed-demo');

    // The key cannot read anything back, nor reach any other route.
    expect((await api('GET', '/v1/feedback', key)).status).toBe(403);
    expect((await api('GET', '/v1/extension-config', key)).status).toBe(403);
  });
});
