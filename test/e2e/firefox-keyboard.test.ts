/**
 * The Firefox half of keyboard.test.ts: in real Firefox ESR with the built Firefox extension, on a
 * saved ChatGPT page, Tab alone reaches the first widget; Space presses thumbs down, Enter opens
 * the form, the comment and correction are typed, Save is pressed with Enter, focus comes back to
 * the comment button, and Space on the pressed thumb takes the rating back. Each focused control
 * draws a focus ring. Every wait is on a condition (a MutationObserver or a key press's answer).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { configure, launchFirefoxWithExtension, openSavedPage, widgetState, type FirefoxBrowser } from './firefox-harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';

let browser: FirefoxBrowser;
let server: ServerHandle;

beforeAll(async () => {
  server = await startServer();
  const token = await server.createToken('rater', 'e2e-firefox-keyboard');
  browser = await launchFirefoxWithExtension(tempDir('gt-firefox-keyboard-'));
  await (await configure(browser, server.url, token)).close();
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

interface Focused {
  widget: number;
  gt: string | null;
  ring: boolean;
}

/** What has focus, through the widget's open shadow root, and whether it draws a ring. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement ?? host;
    const style = inner ? getComputedStyle(inner) : undefined;
    const outline = style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
      widget: host ? [...document.querySelectorAll('groundtruth-widget')].indexOf(host) : -1,
      gt: inner?.getAttribute('data-gt') ?? null,
      ring: Boolean(outline || (style && style.boxShadow !== 'none')),
    };
  });
}

/** Presses `key` until the first widget's control `gt` has focus, and checks its focus ring. */
async function pressTo(page: Page, gt: string, key: 'Tab' | 'Shift+Tab' = 'Tab', limit = 400): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (key === 'Tab') await page.keyboard.press('Tab');
    else {
      await page.keyboard.down('Shift');
      await page.keyboard.press('Tab');
      await page.keyboard.up('Shift');
    }
    const f = await focused(page);
    if (f.widget === 0 && f.gt === gt) {
      expect(f.ring, `focus ring on ${gt}`).toBe(true);
      return;
    }
  }
  throw new Error(`[data-gt="${gt}"] of the first widget not reached with ${key} in ${limit} presses`);
}

/** Resolves once the first widget's control `hook` has `attribute` = `want`, watching the widget's shadow root. */
async function until(page: Page, hook: string, attribute: string, want: string): Promise<void> {
  const seen = await page.evaluate(
    (h, a, w) =>
      new Promise<string | null>((resolve) => {
        const host = document.querySelector('groundtruth-widget')!;
        const value = () => {
          const el = host.shadowRoot!.querySelector(`[data-gt="${h}"]`);
          return el?.getAttribute(a) ?? null;
        };
        const check = () => value() === w && (observer.disconnect(), resolve(null));
        const observer = new MutationObserver(check);
        observer.observe(host, { attributes: true });
        observer.observe(host.shadowRoot!, { subtree: true, childList: true, attributes: true });
        setTimeout(() => (observer.disconnect(), resolve(String(value()))), 15_000);
        check();
      }),
    hook,
    attribute,
    want,
  );
  if (seen !== null) throw new Error(`[data-gt="${hook}"] ${attribute} stayed ${seen}, not ${want}`);
}

describe('Firefox: the widget with the keyboard alone', () => {
  it('Tab reaches it; Space, Enter and typing rate, comment, correct, save and undo, with visible focus', { timeout: 120_000 }, async () => {
    const page = await openSavedPage(browser, `https://chatgpt.com/c/${CONVERSATION}`, 'chatgpt/chat-simple.html');
    await page.waitForFunction(() => document.querySelector('groundtruth-widget')?.shadowRoot?.querySelector('[data-gt="down"]'), { polling: 'mutation', timeout: 20_000 });

    await pressTo(page, 'down');
    await page.keyboard.press(' '); // puppeteer's BiDi keyboard knows the space bar as ' '
    await until(page, 'down', 'aria-pressed', 'true');
    await widgetState(page, 0, /pending|synced/);

    await pressTo(page, 'comment');
    await page.keyboard.press('Enter');
    await until(page, 'comment', 'aria-expanded', 'true');
    // Focus moves to the comment box in an effect (after paint): attributes do not tell, so poll
    // the answer to each evaluate.
    await expect.poll(async () => (await focused(page)).gt).toBe('comment-text');
    await page.keyboard.type('Wrong table.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ widget: 0, gt: 'correction-text', ring: true });
    await page.keyboard.type('SELECT 1;');
    await pressTo(page, 'save', 'Tab', 5);
    await page.keyboard.press('Enter');
    await until(page, 'comment', 'aria-expanded', 'false');
    expect(await focused(page)).toMatchObject({ widget: 0, gt: 'comment' });
    await until(page, 'comment', 'class', 'on');

    // Undo: back to the pressed thumb, Space again.
    await pressTo(page, 'down', 'Shift+Tab', 5);
    await page.keyboard.press(' '); // puppeteer's BiDi keyboard knows the space bar as ' '
    await until(page, 'down', 'aria-pressed', 'false');
    await widgetState(page, 0, /^none$/);
  });
});
