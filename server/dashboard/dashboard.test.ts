/**
 * The dashboard through app.request (no browser): sign-in rules, the session cookie, CSP and CSRF,
 * every page with seeded data, hostile text escaped, admins-only tokens. The real-browser checks
 * are in test/e2e/dashboard.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { HOSTILE, HOSTILE_SUBJECT, seedDashboard, type SeedResult } from '../../test/helpers/dashboard-seed.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';

let t: TestApp;
let seed: SeedResult;
let tokens: { admin: string; analyst: string; alice: string; bob: string };

beforeAll(async () => {
  t = await createTestApp();
  tokens = {
    admin: (await t.token('admin', { name: 'Ada Admin' })).token,
    analyst: (await t.token('analyst', { name: 'Ana Analyst' })).token,
    alice: (await t.token('rater', { name: 'Alice' })).token,
    bob: (await t.token('rater', { name: 'Bob' })).token,
  };
  seed = await seedDashboard(async (token, method, url, body) => t.call(token, method, url, body), tokens);
});
afterAll(async () => {
  await t.store.close();
});

function form(data: Record<string, string>, cookie?: string, origin: string | null = ORIGIN) {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(origin ? { Origin: origin } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams(data).toString(),
  };
}

async function signIn(token: string): Promise<{ cookie: string; setCookie: string; csrf: string }> {
  const res = await t.app.request('/dashboard/sign-in', form({ token }));
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('Set-Cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const page = await t.app.request('/dashboard/search', { headers: { Cookie: cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  expect(csrf).not.toBe('');
  return { cookie, setCookie, csrf };
}

const get = async (path: string, cookie?: string) => t.app.request(path, { headers: cookie ? { Cookie: cookie } : {} });

describe('dashboard sign-in', () => {
  it('shows the sign-in form without a session, with a strict CSP', async () => {
    const res = await get('/dashboard');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="token"');
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle="/);
  });

  it('an analyst signs in: HttpOnly SameSite=Strict cookie, then sees pages; a rater lands in the rater area only', async () => {
    const { setCookie } = await signIn(tokens.analyst);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/dashboard/);
    expect(setCookie).not.toContain(tokens.analyst);

    // DESIGN, "Who uses the dashboard": a rater signs in and is sent to their area, whatever next said.
    const rater = await t.app.request('/dashboard/sign-in', form({ token: tokens.alice, next: '/dashboard/feedback' }));
    expect(rater.status).toBe(303);
    expect(rater.headers.get('Location')).toBe('/dashboard/queues');
    const raterCookie = (rater.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    expect((await get('/dashboard/feedback', raterCookie)).status).toBe(403);

    const unknown = await t.app.request('/dashboard/sign-in', form({ token: 'gt_nope' }));
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('unknown or has been revoked');
  });

  it('refuses cross-site form posts and posts without the session CSRF field', async () => {
    const crossSite = await t.app.request('/dashboard/sign-in', form({ token: tokens.analyst }, undefined, 'https://evil.example'));
    expect(crossSite.status).toBe(403);
    const { cookie, csrf } = await signIn(tokens.analyst);
    const noField = await t.app.request(`/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}/notes`, form({ body: 'x' }, cookie));
    expect(noField.status).toBe(403);
    const wrong = await t.app.request(`/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}/notes`, form({ body: 'x', _csrf: `${csrf}x` }, cookie));
    expect(wrong.status).toBe(403);
    const good = await t.app.request(`/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}/notes`, form({ body: 'added from the form', _csrf: csrf }, cookie));
    expect(good.status).toBe(303);
    expect(await (await get(`/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}`, cookie)).text()).toContain('added from the form');
  });

  it('a page asked for before signing in is shown after it; only dashboard paths are followed; big forms are refused', async () => {
    const asked = await get('/dashboard/models?days=7');
    expect(asked.status).toBe(401);
    const next = /name="next" value="([^"]+)"/.exec(await asked.text())?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBe('/dashboard/models?days=7');
    const res = await t.app.request('/dashboard/sign-in', form({ token: tokens.analyst, next: next! }));
    expect(res.headers.get('Location')).toBe('/dashboard/models?days=7');
    for (const evil of ['https://evil.example/', '//evil.example', '/dashboard//evil.example', '/v1/feedback']) {
      const r = await t.app.request('/dashboard/sign-in', form({ token: tokens.analyst, next: evil }));
      expect(r.headers.get('Location')).toBe('/dashboard');
    }
    const { cookie, csrf } = await signIn(tokens.analyst);
    const big = await t.app.request(`/dashboard/subjects/x/notes`, form({ _csrf: csrf, body: 'x'.repeat(1_100_000) }, cookie));
    expect(big.status).toBe(413);
  });

  it('signing out ends the session; revoking the token ends it too', async () => {
    const a = await signIn(tokens.analyst);
    const out = await t.app.request('/dashboard/sign-out', form({ _csrf: a.csrf }, a.cookie));
    expect(out.status).toBe(303);
    expect((await get('/dashboard/feedback', a.cookie)).status).toBe(401);

    const extra = await t.token('analyst', { name: 'temp' });
    const b = await signIn(extra.token);
    expect((await get('/dashboard/feedback', b.cookie)).status).toBe(200);
    expect((await t.call(tokens.admin, 'GET', '/v1/feedback?limit=1')).status).toBe(200);
    const admin = await signIn(tokens.admin);
    const revoke = await t.app.request(`/dashboard/tokens/${extra.info.id}/revoke`, form({ _csrf: admin.csrf }, admin.cookie));
    expect(revoke.status).toBe(303);
    expect((await get('/dashboard/feedback', b.cookie)).status).toBe(401);
  });
});

describe('dashboard pages', () => {
  const pages = [
    '/dashboard',
    '/dashboard?days=7',
    '/dashboard?days=90',
    '/dashboard/models',
    '/dashboard/models?model=gpt-5&by=kind&a=gpt-5&b=gemini-2&days=all',
    '/dashboard/feedback',
    '/dashboard/feedback?sort=lowest',
    '/dashboard/feedback?thumb=down&model=gemini-2&minStars=1',
    '/dashboard/review',
    '/dashboard/subjects',
    `/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}`,
    '/dashboard/search?q=timed+out',
    '/dashboard/search?q=onerror',
    '/dashboard/exports',
    '/dashboard/exports?format=openai-sft&window=30&count=1',
  ];

  it.each(pages)('%s renders for an analyst, with hostile text only as text', async (path) => {
    const { cookie } = await signIn(tokens.analyst);
    const res = await get(path, cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script id="gt-injected-script">');
    expect(html).not.toContain('href="javascript:');
  });

  it('the record view shows prompt, answer, the correction as a diff, the comment and the context, escaped', async () => {
    const { cookie } = await signIn(tokens.analyst);
    const html = await (await get(`/dashboard/feedback/${seed.hostileFeedbackId}`, cookie)).text();
    expect(html).toContain('&lt;img src=x onerror=');
    expect(html).toMatch(/<pre class="text diff" data-gt="correction-diff">.*<(ins|del)>/s);
    expect(html).toContain('data-gt="context"');
    expect(html).not.toContain('<img src=x');
    // A javascript: URL from the page is shown as text, never as a link.
    expect(html).toContain('javascript:alert(1)');
    expect(html).not.toContain('href="javascript:');
  });

  it('lowest rated first puts thumbs down and one star before thumbs up', async () => {
    const { cookie } = await signIn(tokens.analyst);
    const html = await (await get('/dashboard/feedback?sort=lowest', cookie)).text();
    const first = html.indexOf('▼ down');
    const firstUp = html.indexOf('▲ up');
    expect(first).toBeGreaterThan(0);
    expect(firstUp === -1 || first < firstUp).toBe(true);
  });

  it('the overview has the trend chart as SVG with its data, and the distribution', async () => {
    const { cookie } = await signIn(tokens.analyst);
    const html = await (await get('/dashboard?days=30', cookie)).text();
    expect(html).toMatch(/<svg[^>]+class="trend"/);
    expect(html).toContain('class="band"');
    expect(html).toContain('Star ratings from 5 to 1');
    expect(html).toContain(`>${seed.ratingsLast30}<`);
  });

  it('an analyst cannot open the tokens page; an admin creates a token shown once', async () => {
    const analyst = await signIn(tokens.analyst);
    expect((await get('/dashboard/tokens', analyst.cookie)).status).toBe(403);
    const post = await t.app.request('/dashboard/tokens', form({ name: 'new', role: 'rater', _csrf: analyst.csrf }, analyst.cookie));
    expect(post.status).toBe(403);
    expect(await get('/dashboard', analyst.cookie).then((r) => r.text())).not.toContain('href="/dashboard/tokens"');

    const admin = await signIn(tokens.admin);
    const created = await t.app.request('/dashboard/tokens', form({ name: `laptop ${HOSTILE.slice(0, 80)}`, role: 'rater', _csrf: admin.csrf }, admin.cookie));
    expect(created.status).toBe(201);
    const html = await created.text();
    const secret = /data-gt="new-token">(gt_[\w-]+)</.exec(html)?.[1];
    expect(secret).toBeTruthy();
    expect(html).not.toContain('<img src=x');
    expect((await t.call(secret!, 'GET', '/v1/feedback?limit=1')).status).toBe(200);
    const list = await (await get('/dashboard/tokens', admin.cookie)).text();
    expect(list).not.toContain(secret!);
  });

  it('the review queue rates an item in place and the item leaves the queue', async () => {
    const { cookie, csrf } = await signIn(tokens.analyst);
    const before = await (await get('/dashboard/review', cookie)).text();
    const id = /action="\/dashboard\/review\/([^"]+)"/.exec(before)?.[1];
    expect(id).toBeTruthy();
    const none = await t.app.request(`/dashboard/review/${id}`, form({ _csrf: csrf }, cookie));
    expect(none.headers.get('Location')).toBe('/dashboard/review?error=rating');
    const res = await t.app.request(
      `/dashboard/review/${id}`,
      form({ _csrf: csrf, thumb: 'down', stars: '2', comment: 'wrong column', category: 'upstream_outage', correction: 'The upstream API was down.' }, cookie),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/dashboard/review?saved=1');
    const after = await (await get('/dashboard/review', cookie)).text();
    expect(after).not.toContain(`/dashboard/review/${id}"`);
    const queue = (await (await t.call(tokens.analyst, 'GET', '/v1/items?unrated=1')).json()) as { items: { id: string }[] };
    expect(queue.items.map((i) => i.id)).not.toContain(id);
    const mine = (await (await t.call(tokens.analyst, 'GET', '/v1/feedback?limit=500')).json()) as { items: any[] };
    const rated = mine.items.find((f) => f.target.key.startsWith('item:') && f.comment === 'wrong column');
    expect(rated).toMatchObject({ rating: { thumb: 'down', stars: 2 }, correction: { output: 'The upstream API was down.', fields: { category: 'upstream_outage' } } });
  });

  it('exports: counts matching records, downloads through the API export (recorded as a run), lists runs', async () => {
    const { cookie } = await signIn(tokens.analyst);
    const counted = await (await get('/dashboard/exports?format=jsonl&window=all&count=1', cookie)).text();
    const n = Number(/data-gt="export-matching">([\d,]+) records match/.exec(counted)?.[1]?.replace(/,/g, ''));
    expect(n).toBeGreaterThanOrEqual(seed.ratings);
    const href = /href="(\/dashboard\/exports\/download\/jsonl[^"]*)"/.exec(counted)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBeTruthy();
    const dl = await get(href!, cookie);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('Content-Disposition')).toContain('attachment');
    const lines = (await dl.text()).trim().split('\n');
    expect(lines).toHaveLength(n);
    const runs = await (await get('/dashboard/exports', cookie)).text();
    expect(runs).toContain('data-gt="export-runs"');
    expect(runs).toMatch(/jsonl/);
    const runId = /href="\/dashboard\/exports\/runs\/([^"]+)"/.exec(runs)?.[1];
    const manifest = await (await get(`/dashboard/exports/runs/${runId}`, cookie)).text();
    expect(manifest).toContain('sha256');
    expect((await get('/dashboard/exports/download/jsonl', undefined)).status).toBe(401);
  });

  it('static assets are served; unknown pages are 404 pages', async () => {
    expect((await get('/dashboard/assets/style.css')).headers.get('Content-Type')).toContain('text/css');
    expect((await get('/dashboard/assets/dashboard.js')).headers.get('Content-Type')).toContain('javascript');
    const { cookie } = await signIn(tokens.analyst);
    expect((await get('/dashboard/nope', cookie)).status).toBe(404);
    expect((await get('/dashboard/feedback/not-an-id', cookie)).status).toBe(404);
  });

  it('the hostile note and comment are present as escaped text', async () => {
    const { cookie } = await signIn(tokens.analyst);
    const html = await (await get(`/dashboard/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}`, cookie)).text();
    expect(html).toContain('Hostile note &lt;img src=x');
    expect(html).toContain(HOSTILE_SUBJECT);
    expect(HOSTILE).toContain('<img');
  });
});
