/**
 * Capture on today's layouts, end to end in real Chromium with the built extension:
 * - ChatGPT 2026-09 (a virtualised thread: 6 of 30 turns mounted): a rating made offline survives
 *   a browser restart and syncs once with the prompt of its own turn, the answer text and the
 *   conversation id; a turn unmounted and mounted again shows its rating and adds no record.
 * - A page whose answers carry renamed attributes gets no widgets, and the health figures (from
 *   two browser profiles' visits) flag the site as broken; an admin publishes a selector pack;
 *   the next sync brings the widgets back with no rebuild, and the site is healthy again.
 * - A rating made in one browser profile shows in a second profile with the same token, and a
 *   re-vote there updates the same record.
 */
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { tempDir } from '../helpers/app.ts';
import { freePort, startServer, type ServerHandle } from '../helpers/server.ts';
import { turnIds, VIRTUAL_CONVERSATION, VIRTUAL_URL, virtualThreadPage } from '../bench/virtual-thread.ts';
import { CHROMIUM, configure, extensionPage, launchWithExtension, popupCounts, screenshot, serveSite, syncNow, type ExtensionBrowser } from './harness.ts';

const TURNS = 30;
const MOUNTED = 6;

let server: ServerHandle | undefined;
const browsers: ExtensionBrowser[] = [];
afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
});

async function launch(dir = tempDir('gt-chromium-')): Promise<ExtensionBrowser> {
  const b = await launchWithExtension(dir);
  browsers.push(b);
  return b;
}

async function api(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function records(token: string, query = ''): Promise<Record<string, any>[]> {
  const res = await api(token, 'GET', `/v1/feedback?limit=200${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Mounts turns [first, first+count) as the site does when the rater scrolls; waits for their widgets. */
async function mountTurns(page: Page, first: number, count = MOUNTED) {
  await page.evaluate(([f, n]) => (globalThis as any).__mount(f, n), [first, count]);
  await page.waitForFunction(
    (n) => {
      const units = [...document.querySelectorAll('[data-chatgpt-search-message-ids]')];
      return units.length === n && units.every((u) => u.nextElementSibling?.localName === 'groundtruth-widget') && document.querySelectorAll('groundtruth-widget').length === n;
    },
    count,
    { polling: 'raf', timeout: 15_000 },
  );
}

/** The widget right after turn `i`'s answer unit. */
const widgetOf = (page: Page, i: number) => page.locator(`[data-chatgpt-search-message-ids="${turnIds(i).answerId}"] + groundtruth-widget`);

async function openThread(b: ExtensionBrowser, html = virtualThreadPage(TURNS, MOUNTED)): Promise<Page> {
  await serveSite(b.context, 'https://chatgpt.com', html);
  const page = await b.context.newPage();
  await page.goto(VIRTUAL_URL);
  return page;
}

describe('ChatGPT 2026-09, virtualised: offline, restart, remount', () => {
  it('a rating made offline survives a restart, follows its turn through remounts, and syncs once', { timeout: 240_000 }, async () => {
    const userDataDir = tempDir('gt-chromium-');
    const dataDir = tempDir('gt-e2e-data-');
    const port = await freePort();
    server = await startServer({ dataDir, port });
    const token = await server.createToken('rater', 'e2e-2026');
    await server.stop();
    server = undefined;

    let browser = await launch(userDataDir);
    await configure(browser, `http://127.0.0.1:${port}`, token);
    const page = await openThread(browser);
    await mountTurns(page, TURNS - MOUNTED);
    // Turns 24..29 are mounted; rate turn 26's answer down, with a comment.
    const rated = 26;
    const widget = widgetOf(page, rated);
    await widget.locator('[data-gt="down"]').click();
    await widget.locator('[data-gt="comment"]').click();
    await widget.locator('[data-gt="comment-text"]').fill('Paging after three retries is too late for payments.');
    await widget.locator('[data-gt="save"]').click();
    await expect.poll(() => widget.getAttribute('data-gt-state')).toBe('pending');

    // Scroll away (turn 26 unmounted, its widget gone with it) and back (mounted again).
    await mountTurns(page, 0);
    expect(await widgetOf(page, rated).count()).toBe(0);
    await mountTurns(page, TURNS - MOUNTED);
    await expect.poll(() => widgetOf(page, rated).getAttribute('data-gt-state')).toBe('pending');
    expect(await widgetOf(page, rated).locator('[data-gt="down"]').getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'chatgpt-2026-remounted-pending');

    const popup = await extensionPage(browser, 'popup.html');
    expect(await popupCounts(popup)).toEqual({ pending: 1, synced: 0, rejected: 0 });

    // Restart on the same profile: still pending.
    await browser.close();
    browser = await launch(userDataDir);
    const again = await openThread(browser);
    await mountTurns(again, TURNS - MOUNTED);
    await expect.poll(() => widgetOf(again, rated).getAttribute('data-gt-state')).toBe('pending');

    // The server comes back; Sync now.
    server = await startServer({ dataDir, port });
    const popup2 = await extensionPage(browser, 'popup.html');
    await syncNow(popup2);
    await expect.poll(() => widgetOf(again, rated).getAttribute('data-gt-state')).toBe('synced');

    // Remounts after the sync add nothing: still one record.
    await mountTurns(again, 0);
    await mountTurns(again, TURNS - MOUNTED);
    await expect.poll(() => widgetOf(again, rated).getAttribute('data-gt-state')).toBe('synced');
    await syncNow(popup2);
    const stored = await records(token);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      rating: { thumb: 'down' },
      comment: 'Paging after three retries is too late for payments.',
      target: {
        kind: 'chat_response',
        key: `chatgpt.com:${turnIds(rated).answerId}`,
        site: 'chatgpt.com',
        conversationId: VIRTUAL_CONVERSATION,
        prompt: `Question ${rated}: how many retries before paging on-call?`,
      },
    });
    expect(stored[0]!.target.output).toMatch(new RegExp(`^Answer ${rated}: retry three times`));
    expect(stored[0]!.target.output).not.toContain('ChatGPT said');
    expect(stored[0]!.target.output).not.toContain('Copy');
    await browser.close();
    browsers.splice(browsers.indexOf(browser), 1);
    await server.stop();
    server = undefined;
  });
});

/** The 2026-09 page with every attribute the built-in ChatGPT selectors know renamed. */
const RENAMED = virtualThreadPage(TURNS, MOUNTED)
  .replaceAll('data-chatgpt-search-message-ids', 'data-gpt-answer-ids')
  .replaceAll('data-chatgpt-selection-message-id', 'data-gpt-sel')
  .replaceAll('data-markdown-text-style', 'data-gpt-md')
  .replaceAll('data-conversation-role', 'data-gpt-role');
const RENAMED_ANSWERS = `[data-gpt-answer-ids]`;

describe('a redesign, measured and mended remotely', () => {
  let admin: string;
  let token: string;
  let a: ExtensionBrowser;
  let b: ExtensionBrowser;

  beforeAll(async () => {
    server = await startServer();
    admin = server.adminToken ?? (await server.createToken('admin', 'e2e-admin'));
    token = await server.createToken('rater', 'e2e-health');
    [a, b] = [await launch(), await launch()];
    for (const x of [a, b]) {
      await configure(x, server.url, token);
      // The first sync brings the server's capabilities (health, own ratings, packs).
      await syncNow(await extensionPage(x, 'popup.html'));
    }
  }, 180_000);

  /** Opens the page `n` times in one profile (each load is one visit) and waits until each was counted. */
  async function visit(x: ExtensionBrowser, html: string, n: number) {
    await serveSite(x.context, 'https://chatgpt.com', html);
    const pages = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const page = await x.context.newPage();
        await page.addInitScript(() => {
          (globalThis as any).__visits = [];
          document.addEventListener('groundtruth:visit', (e) => (globalThis as any).__visits.push(JSON.parse((e as CustomEvent).detail)));
        });
        await page.goto(`${VIRTUAL_URL}?v=${i}`);
        await page.waitForFunction(() => (globalThis as any).__visits.length > 0, undefined, { timeout: 20_000 });
        return page;
      }),
    );
    return pages;
  }

  async function health() {
    const res = await api(admin, 'GET', '/v1/sites/health?days=7');
    expect(res.status).toBe(200);
    return res.body.sites.find((s: { site: string }) => s.site === 'chatgpt.com');
  }

  it('renamed attributes: no widgets, and the site flagged broken from two clients\' visits', { timeout: 180_000 }, async () => {
    const inA = await visit(a, RENAMED, 3);
    const inB = await visit(b, RENAMED, HEALTH_RULE.minVisits - 3);
    for (const page of [...inA, ...inB]) {
      expect(await page.locator(RENAMED_ANSWERS).count()).toBe(MOUNTED);
      expect(await page.locator('groundtruth-widget').count()).toBe(0);
      const [v] = await page.evaluate(() => (globalThis as any).__visits);
      expect(v).toMatchObject({ site: 'chatgpt.com', adapter: 'chatgpt', layout: 'none', answers: 0, userTurns: MOUNTED });
    }
    await screenshot(inA[0]!, 'chatgpt-renamed-no-widgets');
    for (const x of [a, b]) await syncNow(await extensionPage(x, 'popup.html'));
    const broken = await health();
    expect(broken).toMatchObject({ status: 'broken', brokenSince: new Date().toISOString().slice(0, 10) });

    // The dashboard's Sites page says so too.
    const viewer = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-background-networking'] });
    try {
      const page = await viewer.newPage();
      await page.goto(`${server!.url}/dashboard`);
      await page.locator('input[name=token]').fill(admin);
      await page.locator('input[name=token]').press('Enter');
      await page.waitForLoadState('load');
      await page.goto(`${server!.url}/dashboard/sites`);
      await expect.poll(() => page.locator('body').textContent()).toMatch(/chatgpt\.com[\s\S]*broken since \d{4}-\d{2}-\d{2}/i);
      await screenshot(page, 'dashboard-sites-broken');
    } finally {
      await viewer.close();
    }
    for (const page of [...inA, ...inB]) await page.close();
  });

  it('an admin publishes a selector pack: the next sync brings the widgets, with no rebuild; the site recovers', { timeout: 180_000 }, async () => {
    const put = await api(admin, 'PUT', '/v1/extension-config', {
      selectorPacks: { chatgpt: { answer: [RENAMED_ANSWERS], answerText: ['[data-gpt-sel] > [data-gpt-md]'] } },
    });
    expect(put.status).toBe(200);
    const popup = await extensionPage(a, 'popup.html');
    await syncNow(popup);
    await popup.reload();
    await expect.poll(() => popup.locator('[data-gt="packs"]').textContent()).toContain(`v${put.body.version} in use for chatgpt`);

    const pages = await visit(a, RENAMED, HEALTH_RULE.healthyToRecover);
    for (const page of pages) {
      await expect.poll(() => page.locator('groundtruth-widget').count()).toBe(MOUNTED);
      const [v] = await page.evaluate(() => (globalThis as any).__visits);
      expect(v).toMatchObject({ layout: 'pack', pack: put.body.version, answers: MOUNTED, prompt: true, conversationId: true });
    }
    await screenshot(pages[0]!, 'chatgpt-renamed-with-pack');

    // A rating through the pack's layout carries the answer text and the prompt of its turn; its
    // key is the turn key (the renamed attribute held the answer id, the turn key is the fallback).
    const widget = pages[0]!.locator(`[data-gpt-answer-ids="${turnIds(TURNS - 1).answerId}"] + groundtruth-widget`);
    await widget.locator('[data-gt="up"]').click();
    await syncNow(popup);
    const [rec] = await records(token, `&site=chatgpt.com`);
    expect(rec).toMatchObject({
      rating: { thumb: 'up' },
      target: { key: `chatgpt.com:${turnIds(TURNS - 1).turnKey}`, prompt: `Question ${TURNS - 1}: how many retries before paging on-call?` },
    });
    expect(rec!.target.output).toMatch(new RegExp(`^Answer ${TURNS - 1}: retry`));
    await expect.poll(async () => (await health()).status).toBe('ok');
    for (const page of pages) await page.close();
  });

  it('a rating made in one profile shows in another with the same token; a re-vote there is the same record', { timeout: 180_000 }, async () => {
    // The previous test rated turn 29 up in profile A; profile B has never seen it.
    const [before] = await records(token, `&conversationId=${VIRTUAL_CONVERSATION}`);
    expect(before).toBeDefined();
    // Profile B gets the pack at its next sync, then opens the conversation.
    await syncNow(await extensionPage(b, 'popup.html'));
    const [pageB] = await visit(b, RENAMED, 1);
    const widgetB = pageB!.locator(`[data-gpt-answer-ids="${turnIds(TURNS - 1).answerId}"] + groundtruth-widget`);
    await expect.poll(() => widgetB.getAttribute('data-gt-state'), { timeout: 15_000 }).toBe('synced');
    expect(await widgetB.locator('[data-gt="up"]').getAttribute('aria-pressed')).toBe('true');
    await screenshot(pageB!, 'chatgpt-rating-from-other-profile');

    await widgetB.locator('[data-gt="down"]').click();
    await syncNow(await extensionPage(b, 'popup.html'));
    const after = await records(token, `&conversationId=${VIRTUAL_CONVERSATION}`);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before!.id, rating: { thumb: 'down' } });
  });
});
