/**
 * An admin policy in real Chromium (issue 15, item 3; ADR 0053; docs/managed.md): a machine policy
 * file, as an admin's MDM would write it, configures the extension with no click. The test's copy
 * of the build gets a fresh `key` (chromium-policy.ts), so its id, which the policy is keyed by, is
 * known and is no other test's. The policy names the real server process, a one-time connect code
 * and a switched-off site; the extension redeems the code by itself, rates and syncs as that
 * rater, and its options page shows what the policy set as the organisation's, read-only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/open.ts';
import { tempDir } from '../helpers/app.ts';
import { makeConnectCode } from '../helpers/connect.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { newExtensionKey, setManifestKey, writeChromiumPolicy } from './chromium-policy.ts';
import {
  contentReady,
  extensionPage,
  launchWithExtension,
  popupCounts,
  requireBrowserAndBuild,
  savedPage,
  screenshot,
  serveSite,
  syncNow,
  watchContent,
  type ExtensionBrowser,
} from './harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';
const RATER = 'rater_policy_fleet';

let browser: ExtensionBrowser | undefined;
let server: ServerHandle | undefined;
let removePolicy: (() => void) | undefined;
let extensionId = '';
/** The main build's own `key` (there must be none), read from the copy before it gets the test's. */
let builtKey: unknown;

beforeAll(async () => {
  // A code for the rater, made in the store before the server opens it (no dashboard session needed).
  const dataDir = tempDir('gt-e2e-policy-');
  const store = await openStore({ dataDir });
  const code = await makeConnectCode(store, RATER);
  await store.close();
  server = await startServer({ dataDir });

  const { key, id } = newExtensionKey();
  extensionId = id;
  // `colour` is not in managed-schema.json: Chromium itself drops it (chrome://policy says so). A
  // blank `token` fits the schema (a string) and is the extension's to refuse: an error it names.
  removePolicy = writeChromiumPolicy(id, { serverUrl: server.url, connectCode: code, disabledSites: ['claude'], token: ' ', colour: 'red' });

  const profile = tempDir('gt-chromium-policy-');
  const copy = await requireBrowserAndBuild(`${profile}.extension`);
  builtKey = JSON.parse(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8')).key;
  setManifestKey(copy, key);
  browser = await launchWithExtension(profile);
  await watchContent(browser.context);
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  removePolicy?.();
  await server?.stop().catch(() => undefined);
});

const local = (key: string) => browser!.worker.evaluate(async (k) => (await (globalThis as any).chrome.storage.local.get(k))[k], key);

describe('admin policy from a Chromium policy file', () => {
  it('reaches the extension with the id its key gives, headless, through storage.managed', async () => {
    expect(browser!.extensionId).toBe(extensionId);
    // The main build has no key: every other test's extension id comes from its own path, never this one.
    expect(builtKey).toBeUndefined();
    const managed = await browser!.worker.evaluate(async () => (globalThis as any).chrome.storage.managed.get(null));
    expect(managed).toMatchObject({ serverUrl: server!.url, disabledSites: ['claude'] });
    expect(managed).toHaveProperty('connectCode');
    expect(managed).not.toHaveProperty('colour');
    await expect.poll(async () => (await local('managedPolicy'))?.errors).toEqual([expect.stringMatching(/^policy field "token"/)]);
  });

  it('redeems the connect code with no click, rates and syncs as the rater the code was made for', { timeout: 120_000 }, async () => {
    await expect.poll(async () => (await local('managedPolicy'))?.connect?.ok, { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await local('settings'))?.token, { timeout: 20_000 }).toMatch(/^gt_/);

    await serveSite(browser!.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html'));
    const page = await browser!.context.newPage();
    await page.goto(`https://chatgpt.com/c/${CONVERSATION}`);
    const widget = page.locator('groundtruth-widget').first();
    await widget.waitFor({ timeout: 20_000 });
    await widget.locator('[data-gt="up"]').click();
    const popup = await extensionPage(browser!, 'popup.html');
    await expect.poll(async () => (await popupCounts(popup)).pending + (await popupCounts(popup)).synced, { timeout: 20_000 }).toBe(1);
    await syncNow(popup);
    await expect.poll(() => widget.getAttribute('data-gt-state'), { timeout: 20_000 }).toBe('synced');

    const admin = server!.adminToken ?? (await server!.createToken('admin', 'e2e-policy-admin'));
    const res = await fetch(`${server!.url}/v1/feedback?limit=100`, { headers: { Authorization: `Bearer ${admin}` } });
    const items = (await res.json()).items as Record<string, any>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ raterId: RATER, rating: { thumb: 'up' }, target: { conversationId: CONVERSATION } });
    await Promise.all([page.close(), popup.close()]);
  });

  it('keeps the switched-off site off', async () => {
    await serveSite(browser!.context, 'https://claude.ai', savedPage('claude/chat-simple.html'));
    const page = await browser!.context.newPage();
    await page.goto('https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f');
    expect((await contentReady(page)).adapters).not.toContain('claude');
    expect(await page.locator('groundtruth-widget').count()).toBe(0);
    await page.close();
  });

  it('the options page shows the managed fields as the organisation\'s, read-only, with the connect result', async () => {
    const options = await extensionPage(browser!, 'options.html');
    const url = options.locator('input[name=serverUrl]');
    await expect.poll(() => url.inputValue()).toBe(server!.url);
    expect(await url.getAttribute('readonly')).not.toBeNull();
    expect(await options.locator('[data-gt="managed-serverUrl"]').textContent()).toBe('Set by your organisation');
    expect(await options.locator('[data-gt="managed-connect"]').textContent()).toMatch(/^The policy's connect code: Connected to .* as rater rater_policy_fleet/);
    expect(await options.locator('[data-gt="managed-error"]').allTextContents()).toEqual([expect.stringMatching(/^Ignored in the policy: policy field "token"/)]);
    expect(await options.locator('input[name=token]').getAttribute('readonly')).toBeNull();
    expect(await options.locator('input[name=site-claude]').isDisabled()).toBe(true);
    expect(await options.locator('input[name=site-claude]').isChecked()).toBe(false);
    expect(await options.locator('[data-gt="managed-site-claude"]').textContent()).toMatch(/set by your organisation/);
    expect(await options.locator('input[name=site-chatgpt]').isDisabled()).toBe(false);
    await screenshot(options, 'options-managed-policy');
    await options.close();
  });
});
