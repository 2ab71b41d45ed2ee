/**
 * Presigned rating links (issue 17, item 1) through app.request on a real store (SQLite here,
 * PostgreSQL under vitest.postgres.config.ts): making, listing and revoking links; the page at
 * /r/<secret> that never writes; ratings as JSON and as a form; expiry on the settable clock;
 * single use; one vote per browser on a reusable link; allowed ratings; rate limits; hostile text
 * inert on the page and in the dashboard; unknown fields; erasure and export of a user id's and of
 * one link's ratings.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, yielding } from '../../test/helpers/app.ts';
import { createApp } from '../app.ts';
import { withAudit } from '../audit/log.ts';
import { publicUrl } from '../env.ts';
import { resetClock, setClock } from '../lib/clock.ts';
import { RateCounters } from '../middleware/rate-limit/counters.ts';
import { withLinkTables } from '../store/link-tables.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type App = TestApp['app'];

const HOSTILE_OUTPUT = `<img src=x onerror="document.title='pwned'" id="gt-injected"><script id="gt-injected-script">alert(1)</script>`;
const HOSTILE_COMMENT = `</textarea><script id="gt-comment-script">alert(2)</script><img src=y onerror=alert(3) id="gt-comment-img">`;

let t: TestApp;
let analyst: string;
let admin: string;
let rater: string;
let otherWorkspace: string;
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  analyst = (await t.token('analyst')).token;
  admin = (await t.token('admin')).token;
  rater = (await t.token('rater')).token;
  otherWorkspace = (await t.token('admin', { workspaceId: 'elsewhere' })).token;
});
afterAll(async () => {
  await t.store.close();
});
afterEach(() => {
  resetClock();
});

function target(overrides: Record<string, unknown> = {}) {
  n += 1;
  return { kind: 'chat_response', key: `app:answer-${n}-${Math.random().toString(36).slice(2, 8)}`, model: 'gpt-5', prompt: 'What is 2+2?', output: 'It is 4.', ...overrides };
}

async function makeLink(body: Record<string, unknown> = {}, token = analyst) {
  const res = await t.call(token, 'POST', '/v1/feedback-links', { target: target(), ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  const link = (await res.json()) as { id: string; url: string; expiresAt: string; prefix: string; status: string; votes: number };
  return { ...link, path: new URL(link.url).pathname };
}

const cookieOf = (res: Response) => /gt_rater=[^;]+/.exec(res.headers.get('Set-Cookie') ?? '')?.[0];

function postJson(app: App, path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
function postForm(app: App, path: string, data: Record<string, string>, headers: Record<string, string> = {}) {
  return app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(data).toString() });
}

async function errorCode(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error.code;
}

/** The link's records as an analyst reads them (tombstones excluded). */
async function linkRecords(id: string) {
  const res = await t.call(analyst, 'GET', `/v1/feedback-links/${id}/feedback`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { feedback: Array<{ id: string; raterId: string; deleted?: boolean; rating: { thumb?: string; stars?: number; label?: string }; source?: { type: string; channel: string }; comment?: string }> };
  return body.feedback.filter((f) => !f.deleted);
}

describe('POST /v1/feedback-links', () => {
  it('makes a link for analysts and admins, not raters; the secret is shown once and stored hashed', async () => {
    const now = new Date('2026-05-01T10:00:00.000Z');
    setClock(now);
    const link = await makeLink();
    expect(link.url.startsWith(`${publicUrl()}/r/gtl_`)).toBe(true);
    expect(link.expiresAt).toBe('2026-05-01T13:00:00.000Z'); // default 3 h
    expect(link).toMatchObject({ status: 'active', votes: 0 });
    const secret = link.path.slice('/r/'.length);
    expect(secret).toMatch(/^gtl_[A-Za-z0-9_-]{43}$/);
    const row = await withLinkTables(t.store.db).selectFrom('feedback_links').selectAll().where('id', '=', link.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(secret);
    await makeLink({}, admin);

    const refused = await t.call(rater, 'POST', '/v1/feedback-links', { target: target() });
    expect(refused.status).toBe(403);
    // Listing never shows the URL or the secret.
    const list = await t.call(analyst, 'GET', '/v1/feedback-links');
    const text = await list.text();
    expect(list.status).toBe(200);
    expect(text).toContain(link.id);
    expect(text).not.toContain(secret);
    expect((await t.call(rater, 'GET', '/v1/feedback-links')).status).toBe(403);
    // Another workspace does not see it.
    expect((await t.call(otherWorkspace, 'GET', `/v1/feedback-links/${link.id}`)).status).toBe(404);
    expect(JSON.stringify(await (await t.call(otherWorkspace, 'GET', '/v1/feedback-links')).json())).not.toContain(link.id);
    // The creation is audited, without the secret.
    const entries = await withAudit(t.store.db).selectFrom('audit_log').selectAll().where('target_id', '=', link.id).execute();
    expect(entries.map((e) => e.action)).toEqual(['feedback_link.created']);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('takes expiresIn or expiresAt, at most 30 days', async () => {
    const now = new Date('2026-05-01T10:00:00.000Z');
    setClock(now);
    expect((await makeLink({ expiresIn: 30 * 86_400 })).expiresAt).toBe('2026-05-31T10:00:00.000Z');
    expect((await makeLink({ expiresAt: '2026-05-02T10:00:00Z' })).expiresAt).toBe('2026-05-02T10:00:00.000Z');
    const tooLong = await t.call(analyst, 'POST', '/v1/feedback-links', { target: target(), expiresIn: 30 * 86_400 + 1 });
    expect(tooLong.status).toBe(422);
    expect(await errorCode(tooLong)).toBe('expiry_too_long');
    const tooFar = await t.call(analyst, 'POST', '/v1/feedback-links', { target: target(), expiresAt: '2026-06-01T10:00:01Z' });
    expect(await errorCode(tooFar)).toBe('expiry_too_long');
    const both = await t.call(analyst, 'POST', '/v1/feedback-links', { target: target(), expiresIn: 60, expiresAt: '2026-05-02T10:00:00Z' });
    expect(both.status).toBe(422);
    const past = await t.call(analyst, 'POST', '/v1/feedback-links', { target: target(), expiresAt: '2026-05-01T09:00:00Z' });
    expect(past.status).toBe(422);
  });

  it('refuses unknown fields (422 unknown_field) and unknown query parameters (400)', async () => {
    const res = await t.call(analyst, 'POST', '/v1/feedback-links', { target: target(), expires: 60 });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { unknown: string[]; accepted: string[] } } };
    expect(body.error.code).toBe('unknown_field');
    expect(body.error.details.unknown).toEqual(['expires']);
    expect(body.error.details.accepted).toContain('expiresIn');
    const nested = await t.call(analyst, 'POST', '/v1/feedback-links', { target: target(), allowedRatings: { thumbs: ['up'] } });
    expect(await errorCode(nested)).toBe('unknown_field');
    const query = await t.call(analyst, 'GET', '/v1/feedback-links?state=active');
    expect(query.status).toBe(400);
    expect(await errorCode(query)).toBe('unknown_parameter');
    expect((await t.call(analyst, 'POST', '/v1/feedback-links?x=1', { target: target() })).status).toBe(400);
  });
});

describe('the rating page (GET /r/<secret>)', () => {
  it('shows the page with a strict CSP and a rater cookie, and writes nothing', async () => {
    const link = await makeLink();
    const db = t.store.db;
    const snapshot = async () => ({
      feedback: (await db.selectFrom('feedback').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
      events: (await db.selectFrom('feedback_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
      audit: (await withAudit(db).selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
      link: await withLinkTables(db).selectFrom('feedback_links').selectAll().where('id', '=', link.id).executeTakeFirstOrThrow(),
    });
    const before = await snapshot();
    const page = await t.app.request(link.path, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="' + link.path + '"');
    expect(html).toContain('It is 4.');
    const csp = page.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    expect(page.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    const setCookie = page.headers.get('Set-Cookie') ?? '';
    expect(setCookie).toMatch(/^gt_rater=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/r');
    expect(setCookie).not.toContain('Secure'); // PUBLIC_URL is http here
    // A program's GET: the link as JSON. Scanners' HEADs and repeats: nothing either.
    const asJson = await t.app.request(link.path, { headers: { Accept: 'application/json' } });
    expect(((await asJson.json()) as { criterion: string }).criterion).toBe('overall');
    await t.app.request(link.path, { method: 'HEAD' });
    await t.app.request(link.path);
    expect(await snapshot()).toEqual(before);
  });

  it('answers an unknown link 404 (JSON for programs, a page for browsers)', async () => {
    const missing = `/r/gtl_${'A'.repeat(43)}`;
    const json = await postJson(t.app, missing, { rating: { thumb: 'up' } });
    expect(json.status).toBe(404);
    expect(await errorCode(json)).toBe('not_found');
    const page = await t.app.request(missing, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('Content-Type')).toContain('text/html');
    expect((await t.app.request('/r/nonsense', { headers: { Accept: 'application/json' } })).status).toBe(404);
  });
});

describe('rating through a link (POST /r/<secret>)', () => {
  it('writes one record with channel link, counted with the others', async () => {
    const link = await makeLink({ criterion: 'correctness' });
    const res = await postJson(t.app, link.path, { rating: { thumb: 'down' }, comment: 'Off by one', correction: { output: 'It is 4, exactly.' } });
    expect(res.status).toBe(201);
    expect(cookieOf(res)).toBeDefined(); // a first POST without a cookie gets one
    const { id } = (await res.json()) as { id: string };
    const read = await t.call(analyst, 'GET', `/v1/feedback/${id}`);
    expect(read.status).toBe(200);
    const record = (await read.json()) as Record<string, any>;
    expect(record.source).toEqual({ type: 'human', channel: 'link' });
    expect(record.criterion).toBe('correctness');
    expect(record.rating).toEqual({ thumb: 'down' });
    expect(record.comment).toBe('Off by one');
    expect(record.raterId).toMatch(/^anon_[0-9a-f]{20}$/);
    expect(record.clientId).toBe(`link:${link.id}`);
    // Counted like any other: in the lists and their channel filter, and in the link's votes.
    const listed = (await (await t.call(analyst, 'GET', '/v1/feedback?channel=link&limit=500')).json()) as { items: Array<{ id: string }> };
    expect(listed.items.map((i) => i.id)).toContain(id);
    const after = (await (await t.call(analyst, 'GET', `/v1/feedback-links/${link.id}`)).json()) as { votes: number; status: string };
    expect(after).toMatchObject({ votes: 1, status: 'used' });
  });

  it('takes the page\'s form without JavaScript and answers with a thank-you page', async () => {
    const link = await makeLink({ reusable: true });
    const page = await t.app.request(link.path);
    const cookie = cookieOf(page)!;
    const res = await postForm(t.app, link.path, { thumb: 'up', stars: '4', comment: 'Nice\r\nand short', correction: '' }, { Cookie: cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    expect(await res.text()).toContain('Thank you');
    const [record] = await linkRecords(link.id);
    expect(record).toMatchObject({ rating: { thumb: 'up', stars: 4 }, comment: 'Nice\nand short' });
    // Without a choice: the page says so (422), nothing stored.
    const empty = await postForm(t.app, link.path, { comment: 'no rating' }, { Cookie: cookie });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Choose a rating');
  });

  it('expires on the server clock: 410 link_expired', async () => {
    const start = new Date('2026-05-01T10:00:00.000Z');
    setClock(start);
    const link = await makeLink({ expiresIn: 3600 });
    setClock(new Date(start.getTime() + 3599_000));
    expect((await t.app.request(link.path)).status).toBe(200);
    setClock(new Date(start.getTime() + 3600_000));
    const res = await postJson(t.app, link.path, { rating: { thumb: 'up' } });
    expect(res.status).toBe(410);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('link_expired');
    expect(body.error.message).toContain(link.expiresAt);
    expect((await t.app.request(link.path)).status).toBe(410);
    expect(await linkRecords(link.id)).toHaveLength(0);
  });

  it('takes one rating on a single-use link: then 409 link_used, for that browser too', async () => {
    const link = await makeLink();
    const first = await postJson(t.app, link.path, { rating: { thumb: 'up' } });
    expect(first.status).toBe(201);
    const again = await postJson(t.app, link.path, { rating: { thumb: 'down' } }, { Cookie: cookieOf(first)! });
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe('link_used');
    const other = await postJson(t.app, link.path, { rating: { thumb: 'down' } });
    expect(await errorCode(other)).toBe('link_used');
    expect((await t.app.request(link.path)).status).toBe(409);
    const records = await linkRecords(link.id);
    expect(records.map((r) => r.rating)).toEqual([{ thumb: 'up' }]);
  });

  it('stores one rating when several browsers post to a single-use link at once', async () => {
    const link = await makeLink();
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => postJson(t.app, link.path, { rating: { stars: i + 1 } })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    expect(await linkRecords(link.id)).toHaveLength(1);
  });

  it('a refused rating does not use up a single-use link', async () => {
    const link = await makeLink({ allowedRatings: { thumb: ['up'] } });
    expect((await postJson(t.app, link.path, { rating: { thumb: 'down' } })).status).toBe(422);
    expect((await postJson(t.app, link.path, { rating: { thumb: 'up' } })).status).toBe(201);
  });

  it('on a reusable link: two browsers are two votes, one browser voting again is one', async () => {
    const link = await makeLink({ reusable: true });
    const a = await postJson(t.app, link.path, { rating: { thumb: 'up' } });
    const cookieA = cookieOf(a)!;
    const b = await postJson(t.app, link.path, { rating: { thumb: 'up' } });
    const cookieB = cookieOf(b)!;
    expect(cookieA).not.toBe(cookieB);
    const revote = await postJson(t.app, link.path, { rating: { thumb: 'down' } }, { Cookie: cookieA });
    expect(revote.status).toBe(201);
    expect(cookieOf(revote)).toBeUndefined(); // the browser keeps its cookie
    const { id: idA } = (await a.json()) as { id: string };
    expect(((await revote.json()) as { id: string }).id).toBe(idA);
    const records = await linkRecords(link.id);
    expect(records).toHaveLength(2);
    expect(new Set(records.map((r) => r.raterId)).size).toBe(2);
    expect(records.find((r) => r.id === idA)!.rating).toEqual({ thumb: 'down' });
    const live = await t.store.db.selectFrom('feedback').select('id').where('deleted', '=', 0).where('client_id', '=', `link:${link.id}`).execute();
    expect(live).toHaveLength(2);
    expect(((await (await t.call(analyst, 'GET', `/v1/feedback-links/${link.id}`)).json()) as { votes: number }).votes).toBe(2);
    // The page tells that browser what it said.
    expect(await (await t.app.request(link.path, { headers: { Cookie: cookieA } })).text()).toContain('You rated this');
  });

  it('attributes to the user id the creator attached: user:<id>, one vote whatever the browser', async () => {
    const link = await makeLink({ reusable: true, userId: 'u-42' });
    await postJson(t.app, link.path, { rating: { stars: 2 } });
    await postJson(t.app, link.path, { rating: { stars: 5 } });
    const records = await linkRecords(link.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ raterId: 'user:u-42', rating: { stars: 5 } });
  });

  it('takes only the allowed ratings, and the page offers only those', async () => {
    const link = await makeLink({ reusable: true, allowedRatings: { thumb: ['up', 'down'], stars: { min: 1, max: 3 }, labels: ['wrong', 'unclear'] } });
    for (const rating of [{ stars: 4 }, { label: 'rude' }]) {
      const res = await postJson(t.app, link.path, { rating });
      expect(res.status).toBe(422);
      expect(await errorCode(res)).toBe('rating_not_allowed');
    }
    expect((await postJson(t.app, link.path, { rating: { stars: 3, label: 'unclear' } })).status).toBe(201);
    const html = await (await t.app.request(link.path)).text();
    expect(html).toContain('value="3"');
    expect(html).not.toContain('name="stars" value="4"');
    expect(html).toContain('<option value="wrong">');

    const thumbsOnly = await makeLink({ allowedRatings: { thumb: ['up'] } });
    expect(await errorCode(await postJson(t.app, thumbsOnly.path, { rating: { stars: 5 } }))).toBe('rating_not_allowed');
    const page = await (await t.app.request(thumbsOnly.path)).text();
    expect(page).not.toContain('name="stars"');
    expect(page).not.toContain('value="down"');
  });

  it('refuses unknown fields, malformed JSON and bodies over the limit', async () => {
    const link = await makeLink();
    const unknown = await postJson(t.app, link.path, { rating: { thumb: 'up' }, raterId: 'admin' });
    expect(unknown.status).toBe(422);
    const body = (await unknown.json()) as { error: { code: string; details: { unknown: string[]; accepted: string[] } } };
    expect(body.error).toMatchObject({ code: 'unknown_field', details: { unknown: ['raterId'], accepted: ['rating', 'comment', 'correction'] } });
    expect(await errorCode(await postJson(t.app, link.path, { rating: { thumbs: 'up' } }))).toBe('unknown_field');
    const plain = await t.app.request(link.path, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"rating":{"thumb":"up"}}' });
    expect(plain.status).toBe(415);
    expect(await errorCode(plain)).toBe('unsupported_media_type');
    const malformed = await postJson(t.app, link.path, '{"rating":');
    expect(malformed.status).toBe(400);
    const big = await postJson(t.app, link.path, { rating: { thumb: 'up' }, correction: { output: 'x'.repeat(300 * 1024) } });
    expect(big.status).toBe(413);
    // Only the page's form post is answered with a page: another method with a form body gets JSON.
    for (const method of ['OPTIONS', 'PUT', 'PATCH', 'DELETE']) {
      const odd = await t.app.request(link.path, { method, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `comment=${'x'.repeat(300 * 1024)}` });
      expect(odd.headers.get('Content-Type'), method).toContain('application/json');
      expect(odd.status, method).toBeGreaterThanOrEqual(400);
    }
    // None of them used the link.
    expect((await postJson(t.app, link.path, { rating: { thumb: 'up' } })).status).toBe(201);
  });

  it('answers a revoked link 410 link_revoked, and audits the revocation', async () => {
    const link = await makeLink({ reusable: true });
    expect((await t.call(rater, 'DELETE', `/v1/feedback-links/${link.id}`)).status).toBe(403);
    const res = await t.call(analyst, 'DELETE', `/v1/feedback-links/${link.id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('revoked');
    expect((await t.call(analyst, 'DELETE', `/v1/feedback-links/${link.id}`)).status).toBe(200);
    expect((await t.call(otherWorkspace, 'DELETE', `/v1/feedback-links/${link.id}`)).status).toBe(404);
    const post = await postJson(t.app, link.path, { rating: { thumb: 'up' } });
    expect(post.status).toBe(410);
    expect(await errorCode(post)).toBe('link_revoked');
    const entries = await withAudit(t.store.db).selectFrom('audit_log').select('action').where('target_id', '=', link.id).orderBy('id').execute();
    expect(entries.map((e) => e.action)).toEqual(['feedback_link.created', 'feedback_link.revoked']);
    const revoked = (await (await t.call(analyst, 'GET', '/v1/feedback-links?status=revoked&limit=500')).json()) as { items: Array<{ id: string }> };
    expect(revoked.items.map((i) => i.id)).toContain(link.id);
  });
});

describe('rate limits', () => {
  /** An app on the same store with counters on a fixed clock (no window boundary mid-test) and one trusted proxy. */
  function limitedApp(at: number) {
    return yielding(createApp({ store: t.store, trustProxy: 1, rateCounters: new RateCounters({ flushMs: false, now: () => at }) }));
  }

  it('per link: the 61st POST in a minute is 429 with Retry-After', async () => {
    const app = limitedApp(Date.UTC(2026, 4, 1, 10, 0, 5));
    const link = await makeLink(); // single use: after the first, the answers are cheap 409s, still counted
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const res = await postJson(app, link.path, { rating: { thumb: 'up' } }, { 'X-Forwarded-For': `10.1.${Math.floor(i / 200)}.${i % 200}` });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
        expect(await errorCode(res)).toBe('rate_limited');
      }
    }
    expect(statuses[0]).toBe(201);
    expect(statuses.slice(1, 60).every((s) => s === 409)).toBe(true);
    expect(statuses[60]).toBe(429);
  });

  it('per address: the 31st request in a minute from one address is 429, a page for browsers', async () => {
    const app = limitedApp(Date.UTC(2026, 4, 1, 11, 0, 5));
    const link = await makeLink({ reusable: true });
    const from = { 'X-Forwarded-For': '192.0.2.7', Accept: 'text/html' };
    for (let i = 0; i < 30; i++) expect((await app.request(link.path, { headers: from })).status).toBe(200);
    const limited = await app.request(link.path, { headers: from });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(limited.headers.get('Content-Type')).toContain('text/html');
    const json = await postJson(app, link.path, { rating: { thumb: 'up' } }, { 'X-Forwarded-For': '192.0.2.7' });
    expect(json.status).toBe(429);
    expect(await errorCode(json)).toBe('rate_limited');
    // Another address is not affected.
    expect((await app.request(link.path, { headers: { 'X-Forwarded-For': '192.0.2.8' } })).status).toBe(200);
  });
});

describe('hostile text', () => {
  async function signIn(token: string): Promise<string> {
    const res = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(res.status).toBe(303);
    return (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  }

  it('is inert on the rating page, the thank-you page and the dashboard\'s feedback pages', async () => {
    const link = await makeLink({ reusable: true, target: target({ prompt: HOSTILE_OUTPUT, output: HOSTILE_OUTPUT, model: '<b id="gt-model">m</b>' }), allowedRatings: { labels: ['<i id="gt-label">x</i>'] } });
    const page = await (await t.app.request(link.path)).text();
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<i id="gt-label">');
    expect(page).not.toContain('<b id="gt-model">');
    expect(page).toContain('&lt;script id=&quot;gt-injected-script&quot;&gt;');

    const res = await postForm(t.app, link.path, { label: '<i id="gt-label">x</i>', comment: HOSTILE_COMMENT, correction: HOSTILE_COMMENT });
    expect(res.status).toBe(200);
    const thanks = await res.text();
    expect(thanks).not.toContain('<i id="gt-label">');
    const [record] = await linkRecords(link.id);
    expect(record!.comment).toBe(HOSTILE_COMMENT);

    const cookie = await signIn(analyst);
    for (const path of ['/dashboard/feedback?channel=link', `/dashboard/feedback/${record!.id}`]) {
      const dash = await t.app.request(path, { headers: { Cookie: cookie } });
      expect(dash.status, path).toBe(200);
      const html = await dash.text();
      for (const id of ['gt-injected', 'gt-injected-script', 'gt-comment-script', 'gt-comment-img', 'gt-label', 'gt-model']) {
        expect(html, `${path}: ${id}`).not.toMatch(new RegExp(`<[a-z]+[^>]*id="${id}"`));
      }
      expect(dash.headers.get('Content-Security-Policy')).not.toContain('unsafe-inline');
      expect(html, path).toContain('&lt;img src=x onerror='); // the record is on the page, as text
    }
    const recordPage = await (await t.app.request(`/dashboard/feedback/${record!.id}`, { headers: { Cookie: cookie } })).text();
    expect(recordPage).toContain('&lt;/textarea&gt;&lt;script id=&quot;gt-comment-script&quot;&gt;');
  });
});

describe('export and erasure', () => {
  it('exports and erases a user id\'s ratings and the links made for them', async () => {
    const link = await makeLink({ userId: 'erase-me' });
    expect((await postJson(t.app, link.path, { rating: { thumb: 'up' }, comment: 'mine' })).status).toBe(201);
    const other = await makeLink({ reusable: true });
    await postJson(t.app, other.path, { rating: { thumb: 'up' } });

    const exported = await t.call(admin, 'GET', `/v1/raters/${encodeURIComponent('user:erase-me')}/export`);
    expect(exported.status).toBe(200);
    const doc = (await exported.json()) as { raterId: string; feedback: Array<{ comment?: string }>; feedbackLinks: Array<{ id: string }> };
    expect(doc.raterId).toBe('user:erase-me');
    expect(doc.feedback.map((f) => f.comment)).toEqual(['mine']);
    expect(doc.feedbackLinks.map((l) => l.id)).toEqual([link.id]);

    const erased = await t.call(admin, 'DELETE', `/v1/raters/${encodeURIComponent('user:erase-me')}`);
    expect(erased.status).toBe(200);
    expect(((await erased.json()) as { erased: { feedback: number } }).erased.feedback).toBe(1);
    expect(await t.store.db.selectFrom('feedback').select('id').where('rater_id', '=', 'user:erase-me').execute()).toEqual([]);
    expect((await t.call(analyst, 'GET', `/v1/feedback-links/${link.id}`)).status).toBe(404);
    expect((await t.app.request(link.path)).status).toBe(404);
    expect(await linkRecords(other.id)).toHaveLength(1); // others' ratings stay
    // A user id with a link but no rating yet can be erased too (the link names them).
    const unrated = await makeLink({ userId: 'never-rated' });
    const gone = await t.call(admin, 'DELETE', `/v1/raters/${encodeURIComponent('user:never-rated')}`);
    expect(gone.status).toBe(200);
    expect((await t.call(analyst, 'GET', `/v1/feedback-links/${unrated.id}`)).status).toBe(404);
  });

  it('exports and erases every rating made through one link (admin), leaving the raters\' others', async () => {
    const link = await makeLink({ reusable: true });
    const a = await postJson(t.app, link.path, { rating: { thumb: 'up' } });
    await postJson(t.app, link.path, { rating: { thumb: 'down' } });
    await postJson(t.app, link.path, { rating: { stars: 1 } }, { Cookie: cookieOf(a)! }); // a re-vote: still two records
    const kept = await makeLink({ reusable: true });
    await postJson(t.app, kept.path, { rating: { thumb: 'up' } }, { Cookie: cookieOf(a)! });

    expect(await linkRecords(link.id)).toHaveLength(2);
    expect((await t.call(analyst, 'DELETE', `/v1/feedback-links/${link.id}/feedback`)).status).toBe(403);
    const res = await t.call(admin, 'DELETE', `/v1/feedback-links/${link.id}/feedback`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { erased: { feedback: number } }).erased.feedback).toBe(2);
    expect(await t.store.db.selectFrom('feedback').select('id').where('client_id', '=', `link:${link.id}`).execute()).toEqual([]);
    expect(await t.store.db.selectFrom('feedback_events').select('id').where('client_id', '=', `link:${link.id}`).execute()).toEqual([]);
    expect(await linkRecords(kept.id)).toHaveLength(1);
    // The link is revoked with it: nothing more comes in through it.
    expect((await postJson(t.app, link.path, { rating: { thumb: 'up' } })).status).toBe(410);
    const audit = await withAudit(t.store.db).selectFrom('audit_log').select('action').where('target_id', '=', link.id).execute();
    expect(audit.map((e) => e.action)).toContain('feedback_link.erased');
  });
});
