/**
 * The Firefox half of managed-policy.test.ts (ADR 0053; docs/managed.md): a policies.json with
 * `3rdparty.Extensions.<gecko id>` configures the extension with no click in real Firefox ESR. The
 * policy file is the run's own (firefox-policy.ts: a hard-linked private install), never the
 * machine's, so no other Firefox on the machine sees it. Firefox checks no schema: an unknown
 * field reaches the extension, which names it in the options page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/open.ts';
import { GECKO_ID } from '../../wxt.config.ts';
import { tempDir } from '../helpers/app.ts';
import { makeConnectCode } from '../helpers/connect.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import {
  clickInWidget,
  contentReady,
  extensionPage,
  launchFirefoxWithExtension,
  openSavedPage,
  popupCounts,
  screenshot,
  syncNow,
  waitForText,
  widgetState,
  type FirefoxBrowser,
} from './firefox-harness.ts';
import { firefoxWithPolicies, type PrivateFirefox } from './firefox-policy.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';
const RATER = 'rater_policy_firefox';

let browser: FirefoxBrowser | undefined;
let server: ServerHandle | undefined;
let firefox: PrivateFirefox | undefined;

beforeAll(async () => {
  const dataDir = tempDir('gt-e2e-ff-policy-');
  const store = await openStore({ dataDir });
  const code = await makeConnectCode(store, RATER);
  await store.close();
  server = await startServer({ dataDir });
  firefox = firefoxWithPolicies({
    policies: { '3rdparty': { Extensions: { [GECKO_ID]: { serverUrl: server.url, connectCode: code, disabledSites: ['claude'], colour: 'red' } } } },
  });
  browser = await launchFirefoxWithExtension(tempDir('gt-firefox-policy-'), { executablePath: firefox.executablePath });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  firefox?.remove();
  await server?.stop().catch(() => undefined);
});

describe('Firefox: admin policy from policies.json', () => {
  it('redeems the policy\'s connect code with no click, rates and syncs as that rater', { timeout: 120_000 }, async () => {
    const options = await extensionPage(browser!, 'options.html');
    const managed = await options.evaluate(async () => (globalThis as any).browser.storage.managed.get(null));
    expect(managed).toMatchObject({ serverUrl: server!.url, disabledSites: ['claude'], colour: 'red' });
    const stored = () => options.evaluate(async () => (await (globalThis as any).browser.storage.local.get(['managedPolicy', 'settings'])) as Record<string, any>);
    await expect.poll(async () => (await stored()).managedPolicy?.connect?.ok, { timeout: 20_000 }).toBe(true);
    expect((await stored()).settings?.token).toMatch(/^gt_/);
    expect((await stored()).managedPolicy.errors).toEqual(['unknown policy field "colour"']);
    await options.close();

    const page = await openSavedPage(browser!, `https://chatgpt.com/c/${CONVERSATION}`, 'chatgpt/chat-simple.html');
    await clickInWidget(page, 0, 'up');
    const popup = await extensionPage(browser!, 'popup.html');
    await expect.poll(async () => (await popupCounts(popup)).pending + (await popupCounts(popup)).synced, { timeout: 20_000 }).toBe(1);
    await syncNow(popup);
    await widgetState(page, 0, /^synced$/);

    const admin = server!.adminToken ?? (await server!.createToken('admin', 'e2e-ff-policy-admin'));
    const res = await fetch(`${server!.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${admin}` } });
    const items = (await res.json()).items as Record<string, any>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ raterId: RATER, rating: { thumb: 'up' }, target: { conversationId: CONVERSATION } });
    await Promise.all([page.close(), popup.close()]);
  });

  it('keeps the switched-off site off', async () => {
    const page = await openSavedPage(browser!, 'https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', 'claude/chat-simple.html');
    expect((await contentReady(page)).adapters).not.toContain('claude');
    expect(await page.evaluate(() => document.querySelectorAll('groundtruth-widget').length)).toBe(0);
    await page.close();
  });

  it('the options page marks the managed fields, names the unknown one and shows the connect result', async () => {
    const options = await extensionPage(browser!, 'options.html');
    await waitForText(options, '[data-gt="managed-serverUrl"]', 'Set by your organisation');
    const seen = await options.evaluate(() => {
      const q = <T extends Element>(s: string) => document.querySelector<T>(s);
      return {
        serverUrl: q<HTMLInputElement>('input[name=serverUrl]')!.value,
        readOnly: q<HTMLInputElement>('input[name=serverUrl]')!.readOnly,
        errors: [...document.querySelectorAll('[data-gt="managed-error"]')].map((e) => e.textContent),
        connect: q('[data-gt="managed-connect"]')?.textContent,
        claude: [q<HTMLInputElement>('input[name=site-claude]')!.disabled, q<HTMLInputElement>('input[name=site-claude]')!.checked],
        claudeMark: q('[data-gt="managed-site-claude"]')?.textContent,
      };
    });
    expect(seen).toMatchObject({
      serverUrl: server!.url,
      readOnly: true,
      errors: ['Ignored in the policy: unknown policy field "colour"'],
      claude: [true, false],
    });
    expect(seen.connect).toMatch(/^The policy's connect code: Connected to .* as rater rater_policy_firefox/);
    expect(seen.claudeMark).toMatch(/set by your organisation/);
    await screenshot(options, 'options-managed-policy');
    await options.close();
  });
});
