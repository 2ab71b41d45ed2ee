/**
 * Least privilege (ADR 0050) in real Chromium: the declared content script runs on the built-in
 * sites only; a custom rule acts on a host only once the rater granted it. Granting is done at
 * install in the test's copy of the build (harness.ts, grantHosts): headless Chromium cannot
 * accept permissions.request's dialog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDocument, extensionPage, launchWithExtension, serveSite, watchContent, type ExtensionBrowser } from './harness.ts';
import { tempDir } from '../helpers/app.ts';

let browser: ExtensionBrowser;
const PAGE = asDocument('<h1>Latency</h1><div class="ai-insight">p99 doubled after the deploy of 14:02.</div>');

beforeAll(async () => {
  browser = await launchWithExtension(tempDir('gt-chromium-lp-'), { grantHosts: ['https://grafana.example.test/*'] });
  await watchContent(browser.context);
  await serveSite(browser.context, 'https://grafana.example.test', PAGE);
  await serveSite(browser.context, 'https://monitor.example.test', PAGE);
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
});

describe('custom rules and host grants', () => {
  it('a rule places widgets on a granted host only; an ungranted host stays out of reach', { timeout: 90_000 }, async () => {
    const options = await extensionPage(browser, 'options.html');
    for (const [i, host] of ['grafana', 'monitor'].entries()) {
      await options.locator('[data-gt="add-rule"]').click();
      await options.locator(`input[name=rule-${i}-id]`).fill(host);
      await options.locator(`input[name=rule-${i}-urlPattern]`).fill(`https://${host}.example.test/d/*`);
      await options.locator(`input[name=rule-${i}-outputSelector]`).fill('.ai-insight');
    }
    await options.locator('[data-gt="save-settings"]').click();
    await options.locator('[data-gt="save-result"]', { hasText: 'Saved.' }).waitFor();

    // The background registered the content script for the granted host, and for it only.
    const registered = () =>
      browser.worker.evaluate(async () => (await (globalThis as any).chrome.scripting.getRegisteredContentScripts()).flatMap((s: any) => s.matches));
    await expect.poll(registered).toEqual(['https://grafana.example.test/*']);

    // The options page says the same, rule by rule (permissions.contains), with a button for the other.
    const rules = options.locator('[data-gt="rule"]');
    await rules.nth(0).locator('[data-gt="rule-granted"]').waitFor();
    expect(await rules.nth(1).locator('[data-gt="rule-needs-access"]').textContent()).toMatch(/^Needs access to https:\/\/monitor\.example\.test\/\*.*Allow on monitor\.example\.test$/);

    const monitor = await browser.context.newPage();
    await monitor.goto('https://monitor.example.test/d/abc/latency');
    const granted = await browser.context.newPage();
    await granted.goto('https://grafana.example.test/d/abc/latency');
    await granted.locator('groundtruth-widget').first().waitFor({ timeout: 15_000 });
    expect(await granted.locator('groundtruth-widget').count()).toBe(1);

    // The ungranted host: the extension cannot even run a script there (tabs.query shows it no
    // URLs either), and nothing was placed. Of all tabs, only the granted page lets a script in.
    const reachable = await browser.worker.evaluate(async () => {
      const c = (globalThis as any).chrome;
      const out: string[] = [];
      for (const tab of await c.tabs.query({})) {
        try {
          const [r] = await c.scripting.executeScript({ target: { tabId: tab.id }, func: () => location.href });
          out.push(r.result);
        } catch {
          /* no access */
        }
      }
      return out;
    });
    expect(reachable).toEqual(['https://grafana.example.test/d/abc/latency']);
    expect(await monitor.evaluate(() => (globalThis as any).__gtContent.ready)).toBeNull();
    expect(await monitor.locator('groundtruth-widget').count()).toBe(0);
    await Promise.all([monitor.close(), granted.close(), options.close()]);
  });
});
