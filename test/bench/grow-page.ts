/**
 * Grows the saved ChatGPT page (test/fixtures/sites/chatgpt/chat-simple.html, 6 answers) into a
 * conversation of N answers, for the widget-placement benchmark: serve it at a chatgpt.com URL in
 * Chromium with the built extension and time how long the content script takes to place N widgets.
 *
 * The saved turns are repeated in order; each copy gets its own message and turn ids, so every
 * answer has a distinct key, as on a real long conversation.
 *
 *   npx tsx test/bench/grow-page.ts 300 > /tmp/chatgpt-300.html
 *
 * In a benchmark (Playwright): `page.addInitScript(OBSERVE_LONG_TASKS)`, route
 * `https://chatgpt.com/**` to `growChatGptPage(300)`, goto `https://chatgpt.com/c/<id>`, then
 * `await page.evaluate(readPlacement, 300)`.
 */
import { readSiteFixture } from '../helpers/sites.ts';

export const CHATGPT_FIXTURE = 'chatgpt/chat-simple.html';
export const BENCH_CONVERSATION_URL = 'https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db';

/** Turns are <article data-turn="user|assistant"> elements, never nested. */
const ARTICLE = /<article\b[\s\S]*?<\/article>/g;

/** One turn copied for round `round` as turn number `turnNo`: ids made unique, scroll anchoring off. */
function copyTurn(turn: string, round: number, turnNo: number): string {
  const suffix = `-r${round}`;
  return turn
    .replace(/data-message-id="([^"]+)"/g, (_m, id: string) => `data-message-id="${id}${suffix}"`)
    .replace(/data-turn-id="([^"]+)"/, (_m, id: string) => `data-turn-id="${id}${suffix}"`)
    .replace(/data-testid="conversation-turn-\d+"/, `data-testid="conversation-turn-${turnNo}"`)
    .replace(/data-scroll-anchor="true"/, 'data-scroll-anchor="false"')
    .replace(/^(<article\b[^>]*?)\sstyle="[^"]*"/, '$1');
}

/**
 * A full HTML document (UTF-8: the saved page is in Japanese) with `answers` assistant answers.
 * String surgery rather than a DOM: 300 answers of this page are ~14 MB of HTML.
 */
export function growChatGptPage(answers: number, fixture = readSiteFixture(CHATGPT_FIXTURE)): string {
  if (!Number.isInteger(answers) || answers < 1) throw new Error(`answers must be a positive integer, got ${answers}`);
  const turns = [...fixture.matchAll(ARTICLE)];
  if (turns.length === 0) throw new Error('no <article> turns in the saved page');
  const first = turns[0]!;
  const last = turns[turns.length - 1]!;
  const before = fixture.slice(0, first.index);
  const after = fixture.slice(last.index + last[0].length);
  const between = fixture.slice(first.index, last.index + last[0].length);
  if (between.replace(ARTICLE, '').trim() !== '') throw new Error('the saved turns are not siblings any more');

  const out: string[] = [];
  let made = 0;
  let turnNo = 0;
  for (let round = 0; made < answers; round++) {
    for (const turn of turns) {
      if (made >= answers) break;
      out.push(copyTurn(turn[0], round, ++turnNo));
      if (/^<article\b[^>]*data-turn="assistant"/.test(turn[0])) made++;
    }
  }
  const body = before.replace(/^<!--[\s\S]*?-->\s*/, '') + out.join('\n') + after;
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>ChatGPT</title></head><body>${body}</body></html>`;
}

/**
 * Init script (page.addInitScript): collects long tasks (> 50 ms) of the page's main thread and
 * the content script's groundtruth:start / groundtruth:placed events (extension/content/controller.ts).
 */
export const OBSERVE_LONG_TASKS = `
  window.__gt = { longTasks: [], start: null, placed: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__gt.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('groundtruth:start', () => { window.__gt.start = performance.now(); });
  document.addEventListener('groundtruth:placed', (e) => {
    window.__gt.placed.push({ at: performance.now(), ...JSON.parse(e.detail) });
  });
`;

export interface Placement {
  widgets: number;
  /** From the content script's start to the last widget placed (wall clock: includes waking the background for the config, and yielding). */
  placeMs: number;
  /** Main-thread time the content script spent scanning and mounting. */
  busyMs: number;
  /** Of which scanning the page for answers, in `scans` scans… */
  scanMs: number;
  scans: number;
  /** …and inserting the widgets into the page (the rest is building them). */
  insertMs: number;
  /** From the first scan (config received) to the last widget placed, wall clock. */
  sinceFirstScanMs: number;
  /** Long tasks (> 50 ms) while the content script placed widgets. */
  longTasks: { start: number; duration: number }[];
}

/**
 * Runs in the page (page.evaluate) after OBSERVE_LONG_TASKS: waits until `expected` widgets are
 * placed, then reads the figures. Self-contained: Playwright serializes it.
 */
export async function readPlacement(expected: number): Promise<Placement> {
  type Gt = {
    longTasks: { start: number; duration: number }[];
    start: number | null;
    placed: { at: number; widgets: number; busyMs: number; scanMs: number; scans: number; insertMs: number; sinceFirstScanMs: number }[];
  };
  const gt = (window as unknown as { __gt: Gt }).__gt;
  const deadline = performance.now() + 30_000;
  for (;;) {
    const done = gt.placed.find((p) => p.widgets >= expected);
    if (done && gt.start !== null) {
      const start = gt.start;
      return {
        widgets: document.querySelectorAll('groundtruth-widget').length,
        placeMs: done.at - start,
        busyMs: done.busyMs,
        scanMs: done.scanMs,
        scans: done.scans,
        insertMs: done.insertMs,
        sinceFirstScanMs: done.sinceFirstScanMs,
        longTasks: gt.longTasks.filter((t) => t.start + t.duration >= start && t.start <= done.at),
      };
    }
    if (performance.now() > deadline) {
      throw new Error(`only ${document.querySelectorAll('groundtruth-widget').length} of ${expected} widgets after 30 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(growChatGptPage(Number(process.argv[2] ?? 300)));
}
