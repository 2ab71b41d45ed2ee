/**
 * The widget without a mouse (issue 15, item 4), in real Chromium on a saved ChatGPT page with
 * stars switched on: Tab alone reaches the first widget's thumbs (through the page's own links and
 * buttons), Space presses thumbs down, Enter a star, Enter opens the comment form, the comment and
 * the correction are typed, Save is reached with Tab and pressed with Enter, focus comes back to
 * the comment button, and pressing the pressed thumb and star again takes the rating back (undo,
 * widget.tsx). Every control focused on the way shows a visible focus ring. The record on the
 * server is checked after a sync; every wait is on a condition.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { configure, extensionPage, launchWithExtension, savedPage, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';

const CONVERSATION = '697b1066-3e40-8322-8670-d2c03bdf20db';
const FIRST_KEY = 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a';

let browser: ExtensionBrowser;
let server: ServerHandle;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = await server.createToken('rater', 'e2e-keyboard');
  browser = await launchWithExtension(tempDir('gt-chromium-keyboard-'));
  const options = await configure(browser, server.url, token);
  await options.locator('input[name=starMode]').check();
  await options.locator('[data-gt="save-settings"]').click();
  await options.locator('[data-gt="save-result"]', { hasText: 'Saved.' }).waitFor();
  await options.close();
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

interface Focused {
  /** Index of the widget holding focus among the page's widgets; -1: focus is on the page. */
  widget: number;
  gt: string | null;
  tag: string;
  outline: string;
  boxShadow: string;
}

/** What has focus, looking through the widget's (open) shadow root, and how it is drawn. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement ?? host;
    const style = inner ? getComputedStyle(inner) : undefined;
    return {
      widget: host ? [...document.querySelectorAll('groundtruth-widget')].indexOf(host) : -1,
      gt: inner?.getAttribute('data-gt') ?? null,
      tag: inner?.tagName.toLowerCase() ?? '',
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : 'none',
      boxShadow: style?.boxShadow ?? 'none',
    };
  });
}

/** Focus is visible: an outline or a box-shadow is drawn on the focused control. */
function expectVisibleFocus(f: Focused): void {
  const ring = !f.outline.startsWith('none') && !/ 0px$/.test(f.outline);
  expect(ring || f.boxShadow !== 'none', `focus ring on ${f.gt ?? f.tag}: outline ${f.outline}, box-shadow ${f.boxShadow}`).toBe(true);
}

/** Presses Tab until the control `gt` of the first widget has focus; every stop is one key press. */
async function tabTo(page: Page, gt: string, limit = 400): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.widget === 0 && f.gt === gt) {
      expectVisibleFocus(f);
      return presses;
    }
  }
  throw new Error(`[data-gt="${gt}"] of the first widget not reached in ${limit} presses of Tab`);
}

describe('the widget with the keyboard alone', () => {
  it('Tab reaches it; Space, Enter and typing rate, comment, correct, save and undo, with visible focus', { timeout: 120_000 }, async () => {
    await serveSite(browser.context, 'https://chatgpt.com', savedPage('chatgpt/chat-simple.html'));
    const page = await browser.context.newPage();
    await page.goto(`https://chatgpt.com/c/${CONVERSATION}`);
    const widget = page.locator('groundtruth-widget').first();
    await widget.locator('[data-gt="star-5"]').waitFor({ timeout: 20_000 });
    const down = widget.locator('[data-gt="down"]');
    const star4 = widget.locator('[data-gt="star-4"]');

    // Tab only, from the top of the page, to the first widget's thumbs up, then on to thumbs down.
    const presses = await tabTo(page, 'up');
    console.log(`keyboard: Tab reached the first widget's thumbs up in ${presses} presses`);
    await page.keyboard.press('Tab');
    let f = await focused(page);
    expect(f).toMatchObject({ widget: 0, gt: 'down' });
    expectVisibleFocus(f);

    // Space presses thumbs down.
    await page.keyboard.press('Space');
    await expect.poll(() => down.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => widget.getAttribute('data-gt-state')).toMatch(/pending|synced/);
    expect(await widget.locator('[data-gt="up"]').getAttribute('aria-pressed')).toBe('false');
    expect((await focused(page)).gt).toBe('down');

    // Stars: Tab to the fourth, Enter.
    await tabTo(page, 'star-4');
    await page.keyboard.press('Enter');
    await expect.poll(() => star4.getAttribute('aria-pressed')).toBe('true');
    expect(await down.getAttribute('aria-pressed')).toBe('true');

    // The comment form: Enter on its button opens it with the comment box focused.
    await tabTo(page, 'comment');
    await page.keyboard.press('Enter');
    await expect.poll(() => widget.locator('[data-gt="comment"]').getAttribute('aria-expanded')).toBe('true');
    await expect.poll(async () => (await focused(page)).gt).toBe('comment-text');
    expectVisibleFocus(await focused(page));
    await page.keyboard.type('Wrong table: the orders live in orders_raw.');
    await page.keyboard.press('Tab');
    f = await focused(page);
    expect(f.gt).toBe('correction-text');
    expectVisibleFocus(f);
    await page.keyboard.type('SELECT count(*) FROM orders_raw;');
    // Tab on through the form's buttons (Cancel, then Save) and press Save with Enter.
    await tabTo(page, 'save', 5);
    await page.keyboard.press('Enter');
    await expect.poll(() => widget.locator('[data-gt="comment-text"]').count()).toBe(0);
    // Focus went back to the button that opened the form, not to the top of the page.
    f = await focused(page);
    expect(f).toMatchObject({ widget: 0, gt: 'comment' });
    await expect.poll(() => widget.locator('[data-gt="comment"]').getAttribute('class')).toBe('on');

    // Synced as typed.
    const popup = await extensionPage(browser, 'popup.html');
    await syncNow(popup);
    await expect.poll(() => widget.getAttribute('data-gt-state'), { timeout: 15_000 }).toBe('synced');
    const stored = async () => {
      const res = await fetch(`${server.url}/v1/feedback?limit=10`, { headers: { Authorization: `Bearer ${token}` } });
      return ((await res.json()).items as Record<string, any>[]).filter((r) => r.target.key === FIRST_KEY);
    };
    expect(await stored()).toMatchObject([
      { rating: { thumb: 'down', stars: 4 }, comment: 'Wrong table: the orders live in orders_raw.', correction: { output: 'SELECT count(*) FROM orders_raw;' } },
    ]);

    // Undo: back with Shift+Tab to the pressed star and the pressed thumb, Enter on each again.
    await page.bringToFront();
    expect((await focused(page)).gt).toBe('comment');
    for (let i = 0; i < 5; i++) {
      if ((await focused(page)).gt === 'star-4') break;
      await page.keyboard.press('Shift+Tab');
    }
    f = await focused(page);
    expect(f.gt).toBe('star-4');
    expectVisibleFocus(f);
    await page.keyboard.press('Enter');
    await expect.poll(() => star4.getAttribute('aria-pressed')).toBe('false');
    expect(await down.getAttribute('aria-pressed')).toBe('true');
    for (let i = 0; i < 5 && (await focused(page)).gt !== 'down'; i++) await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).gt).toBe('down');
    await page.keyboard.press('Space');
    await expect.poll(() => down.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => widget.getAttribute('data-gt-state')).toBe('none');
    await syncNow(popup);
    await expect.poll(stored, { timeout: 15_000 }).toEqual([]);
  });
});
