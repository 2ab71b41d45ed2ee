/**
 * The Firefox half of least-privilege.test.ts (ADR 0050), in real Firefox ESR: the declared
 * content script runs on the built-in sites only, and a custom rule acts on a host only once its
 * host was granted; the rule's script is registered with Firefox MV2's scripting API. The grant is
 * made at install in the test's copy of the build (its manifest lists the host), as the Chromium
 * test does: a headless browser cannot accept the options page's prompt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDocument } from './harness.ts';
import { tempDir } from '../helpers/app.ts';
import { click, extensionPage, fill, launchFirefoxWithExtension, requireFirefoxAndBuild, serveSite, waitForText, type FirefoxBrowser } from './firefox-harness.ts';

let browser: FirefoxBrowser;
const PAGE = asDocument('<h1>Latency</h1><div class="ai-insight">p99 doubled after the deploy of 14:02.</div>');
const GRANTED = 'https://grafana.example.test/*';

beforeAll(async () => {
  const profile = tempDir('gt-firefox-lp-');
  // MV2 lists hosts among `permissions`; Firefox grants those at install.
  const dir = await requireFirefoxAndBuild(`${profile.replace(/\/+$/, '')}.extension`);
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.permissions = [...manifest.permissions, GRANTED];
  fs.writeFileSync(file, JSON.stringify(manifest));
  browser = await launchFirefoxWithExtension(profile);
  serveSite(browser, 'https://grafana.example.test', PAGE);
  serveSite(browser, 'https://monitor.example.test', PAGE);
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
});

describe('Firefox: custom rules and host grants', () => {
  it('a rule places widgets on a granted host only; an ungranted host gets no content script', { timeout: 120_000 }, async () => {
    const options = await extensionPage(browser, 'options.html');
    for (const [i, host] of ['grafana', 'monitor'].entries()) {
      await click(options, '[data-gt="add-rule"]');
      await fill(options, `input[name=rule-${i}-id]`, host);
      await fill(options, `input[name=rule-${i}-urlPattern]`, `https://${host}.example.test/d/*`);
      await fill(options, `input[name=rule-${i}-outputSelector]`, '.ai-insight');
    }
    await click(options, '[data-gt="save-settings"]');
    await waitForText(options, '[data-gt="save-result"]', /Saved\./);

    // The background registered the content script for the granted host, and for it only (an
    // extension page sees the same scripting API).
    const registered = () =>
      options.evaluate(async () => (await (globalThis as any).browser.scripting.getRegisteredContentScripts()).flatMap((s: any) => s.matches));
    await expect.poll(registered, { timeout: 20_000 }).toEqual([GRANTED]);
    expect(await options.evaluate((o) => (globalThis as any).browser.permissions.contains({ origins: [o] }), 'https://monitor.example.test/*')).toBe(false);

    const monitor = await browser.newPage();
    await monitor.goto('https://monitor.example.test/d/abc/latency');
    const granted = await browser.newPage();
    await granted.goto('https://grafana.example.test/d/abc/latency');
    await granted.waitForSelector('groundtruth-widget', { timeout: 20_000 });
    expect(await granted.$$eval('groundtruth-widget', (ws) => ws.length)).toBe(1);
    // The content script announced itself on the granted page, and never on the other one.
    expect(await granted.evaluate(() => (globalThis as any).__gtContent.ready)).toMatchObject({ adapters: ['rule:grafana'] });
    expect(await monitor.evaluate(() => (globalThis as any).__gtContent.ready)).toBeNull();
    expect(await monitor.$$eval('groundtruth-widget', (ws) => ws.length)).toBe(0);
  });
});
