/**
 * The embeddable widget (issue 17): `npm run bench -- embed`.
 * - size: dist/embed.js (what /embed.js serves), minified and gzip (goal ≤ 40 KB gzip).
 * - placement: a chat page of 300 answers in real Chromium, the 300 `<groundtruth-rating>`
 *   elements inserted at once; time from insertion (connected) until every widget is rendered
 *   with its buttons (interactive), and until their saved states came from IndexedDB (the
 *   controller's `groundtruth-rating:ready` event); long tasks meanwhile. Baseline in the same run:
 *   the same page with 300 minimal custom elements, each an open shadow root with three plain
 *   buttons and a click listener (the least a rating widget could be). Medians of 5 fresh contexts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { DIST, buildEmbed } from '../../bin/build-server.js';
import { launchChromium, startHostServer } from '../e2e/embed-host.ts';
import type { Bench } from './index.ts';

const ELEMENTS = 300;
const RUNS = 5;

function page(kind: 'embed' | 'baseline'): string {
  const answers = Array.from({ length: ELEMENTS }, (_, i) => `<div class="answer" id="answer-${i + 1}">Answer number ${i + 1}: the job failed because table t${i} was empty.</div>`).join('');
  const head =
    kind === 'embed'
      ? '<script src="/embed.js"></script>'
      : `<script>customElements.define('plain-rating', class extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    for (const name of ['up', 'down', 'comment']) {
      const b = document.createElement('button');
      b.type = 'button'; b.dataset.gt = name; b.textContent = name;
      b.addEventListener('click', () => this.setAttribute('data-gt-state', 'pending'));
      root.append(b);
    }
    this.setAttribute('data-gt-state', 'none');
    // As the embed's controller does: after the task (the browser may render in between).
    if (!window.__readyQueued) { window.__readyQueued = true; setTimeout(() => { window.__readyQueued = false; document.dispatchEvent(new CustomEvent('groundtruth-rating:ready')); }, 0); }
  }
});</script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>${head}
<script>
window.__bench = { longTasks: [] };
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longTasks.push(e.duration); }).observe({ type: 'longtask' });
</script></head><body><div id="chat">${answers}</div></body></html>`;
}

/**
 * In the page: inserts the elements after their answers; resolves with the timings. A string, not
 * a function: tsx's keepNames would add `__name` calls that do not exist in the page.
 */
const place = (tag: string) => `new Promise((resolve) => {
  const chat = document.getElementById('chat');
  const html = [...chat.children]
    .map((answer, i) => answer.outerHTML + '<${tag} public-key="gtpk_bench" output-selector="#answer-' + (i + 1) + '" model="bench"></${tag}>')
    .join('');
  let readyAt = 0;
  document.addEventListener('groundtruth-rating:ready', () => { readyAt = readyAt || performance.now(); }, { once: true });
  const t0 = performance.now();
  chat.innerHTML = html; // connectedCallback of each element runs during this
  const rendered = performance.now();
  const interactive = [...document.querySelectorAll('${tag}')].filter((el) => el.shadowRoot && el.shadowRoot.querySelector('[data-gt="up"]')).length;
  (function finish() {
    if (!readyAt) return void setTimeout(finish, 1);
    resolve({ renderMs: rendered - t0, readyMs: readyAt - t0, interactive, longestTaskMs: Math.max(0, ...window.__bench.longTasks) });
  })();
})`;

interface Run {
  revisitReadyMs?: number;
  renderMs: number;
  readyMs: number;
  interactive: number;
  longestTaskMs: number;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function embedBench() {
  await buildEmbed(DIST);
  const bundle = fs.readFileSync(path.join(DIST, 'embed.js'));
  const host = await startHostServer({
    '/embed': page('embed'),
    '/baseline': page('baseline'),
    '/embed.js': { type: 'text/javascript; charset=utf-8', body: bundle },
  });
  const browser = await launchChromium();
  try {
    const measure = async (kind: 'embed' | 'baseline') => {
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        // A fresh context: an empty IndexedDB, nothing cached.
        const context = await browser.newContext();
        const p = await context.newPage();
        await p.goto(`${host.origin}/${kind}`);
        const tag = kind === 'embed' ? 'groundtruth-rating' : 'plain-rating';
        const first = (await p.evaluate(place(tag))) as Run;
        // A returning visit: the page's IndexedDB exists already.
        await p.goto(`${host.origin}/${kind}`);
        runs.push({ ...first, revisitReadyMs: ((await p.evaluate(place(tag))) as Run).readyMs });
        await context.close();
      }
      return runs;
    };
    // Alternate warm-up: one of each first, not counted.
    await measure('baseline');
    const baseline = await measure('baseline');
    const embed = await measure('embed');
    const b = { render: median(baseline.map((r) => r.renderMs)), ready: median(baseline.map((r) => r.readyMs)) };
    const e = { render: median(embed.map((r) => r.renderMs)), ready: median(embed.map((r) => r.readyMs)) };
    return {
      size: {
        minifiedBytes: bundle.length,
        gzipBytes: gzipSync(bundle, { level: 9 }).length,
        brotliBytes: brotliCompressSync(bundle).length,
        goalGzipBytes: 40 * 1024,
      },
      placement: {
        elements: ELEMENTS,
        runs: RUNS,
        interactive: Math.min(...embed.map((r) => r.interactive)),
        embedRenderMs: round(e.render),
        embedReadyMs: round(e.ready),
        embedRevisitReadyMs: round(median(embed.map((r) => r.revisitReadyMs!))),
        baselineRenderMs: round(b.render),
        baselineReadyMs: round(b.ready),
        renderRatio: round(e.render / b.render),
        readyRatio: round(e.ready / b.ready),
        embedLongestTaskMs: round(Math.max(...embed.map((r) => r.longestTaskMs))),
      },
    };
  } finally {
    await browser.close();
    await host.close();
  }
}

const bench: Bench = {
  name: 'embed',
  description: `embed.js gzip size; ${ELEMENTS} <groundtruth-rating> from connected to interactive, against ${ELEMENTS} minimal shadow-root button elements`,
  run: embedBench,
};
export default bench;
