/**
 * The embeddable widget (issue 17, docs/decisions/0048-embeddable-widget.md): GET /embed.js and
 * /embed.js.map, the bundle bin/build-server.js writes to dist/, for any page to load (so
 * `Access-Control-Allow-Origin: *`, and no token: the page's public key goes in the element), and
 * GET /embed/demo, a fake chat with a `<groundtruth-rating>` under each answer.
 *
 * dist/ is found from this file whether it runs as TypeScript (server/routes/embed.ts) or bundled
 * (dist/groundtruth.js): the first ancestor directory holding embed.js or dist/embed.js.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../lib/types.ts';
import { ApiError } from '../lib/errors.ts';

const FILES = {
  '/embed.js': { file: 'embed.js', type: 'text/javascript; charset=utf-8' },
  '/embed.js.map': { file: 'embed.js.map', type: 'application/json; charset=utf-8' },
} as const;

/** The directory holding the built embed.js, or undefined before a build. */
export function embedDir(from: string = import.meta.dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'embed.js'))) return dir;
    if (fs.existsSync(path.join(dir, 'dist', 'embed.js'))) return path.join(dir, 'dist');
    if (path.dirname(dir) === dir) return undefined;
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // The widget's styles are <style> elements in its shadow roots (and one style attribute on an icon).
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ANSWERS = [
  { prompt: 'How do I undo the last git commit but keep my changes?', model: 'demo-gpt', answer: 'Run `git reset --soft HEAD~1`: the commit is undone and its changes stay staged.' },
  { prompt: 'Is 2027 a leap year?', model: 'demo-gpt', answer: 'No. 2027 is not divisible by 4, so February has 28 days.' },
  { prompt: 'Why did the nightly ETL job fail?', model: 'demo-analyst', answer: 'The upstream table orders_raw was empty at 02:00: its loader timed out, so the join produced no rows and the row-count check failed.' },
];

export function demoPage(origin: string, key: string | undefined): string {
  const o = escapeHtml(origin);
  const howTo = `<div class="note"><p>This demo needs a public ingest key that allows this origin, <code>${o}</code>. An admin creates one:</p>
<pre>curl -X POST ${o}/v1/public-keys -H "Authorization: Bearer $ADMIN_TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"name":"demo","origins":["${o}"]}'</pre>
<p>then opens <code>${o}/embed/demo?key=gtpk_…</code>.</p></div>`;
  const turns = ANSWERS.map(
    (a, i) => `<div class="turn user">${escapeHtml(a.prompt)}</div>
<div class="turn assistant"><div id="answer-${i + 1}">${escapeHtml(a.answer)}</div>
${key ? `<groundtruth-rating public-key="${escapeHtml(key)}" output-selector="#answer-${i + 1}" model="${escapeHtml(a.model)}" prompt="${escapeHtml(a.prompt)}" conversation-id="demo"></groundtruth-rating>` : ''}</div>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Groundtruth embed demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
.turn { padding: .6rem .9rem; border-radius: 10px; margin: .6rem 0; }
.user { background: #eef2f7; margin-left: 20%; }
.assistant { background: #fff; border: 1px solid #d0d7de; }
.note { background: #fff8c5; padding: .5rem 1rem; border-radius: 8px; }
pre { white-space: pre-wrap; font-size: 13px; }
</style>
<script src="/embed.js" async></script>
</head><body>
<h1>Acme Chat <small>(a fake chat with the Groundtruth widget)</small></h1>
${key ? '' : howTo}
${turns}
<p><small>Each answer carries <code>&lt;groundtruth-rating public-key="…" output-selector="#answer-N" model="…"&gt;</code>; ratings wait in this page's IndexedDB while offline.</small></p>
</body></html>`;
}

export const embedRoutes = new Hono<AppEnv>()
  .get('/embed.js', (c) => serveFile(c, FILES['/embed.js']))
  .get('/embed.js.map', (c) => serveFile(c, FILES['/embed.js.map']))
  .get('/embed/demo', function embedDemo(c) {
    const key = c.req.query('key')?.trim() || undefined;
    c.header('Content-Security-Policy', DEMO_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    return c.html(demoPage(new URL(c.req.url).origin, key));
  });

function serveFile(c: Context<AppEnv>, spec: { file: string; type: string }) {
  const dir = embedDir();
  if (!dir) throw new ApiError(404, 'not_built', 'The embed bundle is not built: run `npm run build` (or node bin/build-server.js).');
  const body = fs.readFileSync(path.join(dir, spec.file));
  c.header('Content-Type', spec.type);
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  // Not content-hashed: pages keep the same URL across releases, so caches revalidate after 5 minutes.
  c.header('Cache-Control', 'public, max-age=300');
  return c.body(body);
}
