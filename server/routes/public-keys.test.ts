/**
 * Public ingest keys (issue 17, item 2): made, listed and revoked by admins; a key syncs ratings
 * from its origins about its origins' pages and does nothing else. Through app.request on the
 * backend of the run (SQLite, or PostgreSQL under vitest.postgres.config.ts).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { setClock } from '../lib/clock.ts';
import { withPublicKeyTables } from '../store/public-key-tables.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const APP = 'https://app.example.com';
const OTHER = 'https://evil.example';

afterEach(() => {
  vi.useRealTimers();
});

async function setup() {
  const t = await createTestApp();
  const admin = (await t.token('admin', { name: 'Ada' })).token;
  const analyst = (await t.token('analyst')).token;
  return { t, admin, analyst };
}

async function makeKey(t: TestApp, admin: string, body: Record<string, unknown> = {}) {
  const res = await t.call(admin, 'POST', '/v1/public-keys', { name: 'Support chat', origins: [APP], ...body });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string; name: string; origins: string[]; criteria: string[] | null; kinds: string[] | null; ratePerMinute: number; hashesOnly: boolean; createdAt: string };
}

/** A request as the embedding page's browser makes it. */
function fromPage(t: TestApp, key: string, method: string, url: string, body?: unknown, origin: string | null = APP) {
  return t.app.request(url, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(origin ? { Origin: origin } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const up = (f: { id: string; updatedAt: string }) => ({ id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f });

/** A rating of an answer on the app's page. */
function pageFeedback(overrides: Record<string, unknown> = {}, target: Record<string, unknown> = {}) {
  const f = makeFeedback(overrides);
  return { ...f, target: { kind: 'chat_response', key: `app:answer-${Math.random().toString(36).slice(2)}`, url: `${APP}/chat/42`, prompt: 'How do I reset my password?', output: 'Open Settings, then Security.', ...target } };
}

const sync = (t: TestApp, key: string, mutations: unknown[], extra: Record<string, unknown> = {}, origin: string | null = APP) =>
  fromPage(t, key, 'POST', '/v1/sync', { clientId: 'browser-1', mutations, ...extra }, origin);

async function stored(t: TestApp, analyst: string) {
  const res = await t.call(analyst, 'GET', '/v1/feedback?limit=100');
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<Record<string, any>> }).items;
}

describe('POST/GET/DELETE /v1/public-keys', () => {
  it('an admin makes a key (shown once, stored hashed, origins normalised), lists and revokes it; audited; raters and analysts 403', async () => {
    const { t, admin, analyst } = await setup();
    const created = await makeKey(t, admin, { origins: ['https://App.Example.com:443/', 'http://127.0.0.1:5173'], criteria: ['overall', 'helpfulness'], kinds: ['chat_response'] });
    expect(created.key).toMatch(/^gtpk_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'Support chat', origins: [APP, 'http://127.0.0.1:5173'], criteria: ['overall', 'helpfulness'], kinds: ['chat_response'], ratePerMinute: 120, hashesOnly: false });
    const rows = await withPublicKeyTables(t.store.db).selectFrom('public_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(JSON.stringify(rows)).toContain(createHash('sha256').update(created.key).digest('hex'));

    const listed = await (await t.call(admin, 'GET', '/v1/public-keys')).json();
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ id: created.id, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const rater = (await t.token('rater')).token;
    for (const token of [rater, analyst]) {
      expect((await t.call(token, 'POST', '/v1/public-keys', { name: 'x', origins: [APP] })).status).toBe(403);
      expect((await t.call(token, 'GET', '/v1/public-keys')).status).toBe(403);
      expect((await t.call(token, 'DELETE', `/v1/public-keys/${created.id}`)).status).toBe(403);
    }
    // Another workspace's admin neither sees nor revokes it.
    const elsewhere = (await t.token('admin', { workspaceId: 'other' })).token;
    expect((await (await t.call(elsewhere, 'GET', '/v1/public-keys')).json()).items).toEqual([]);
    expect((await t.call(elsewhere, 'DELETE', `/v1/public-keys/${created.id}`)).status).toBe(404);

    const revoked = await t.call(admin, 'DELETE', `/v1/public-keys/${created.id}`);
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).revokedAt).toEqual(expect.any(String));
    expect((await t.call(admin, 'DELETE', `/v1/public-keys/${created.id}`)).status).toBe(404);
    expect((await (await t.call(admin, 'GET', '/v1/public-keys')).json()).items[0].revokedAt).toEqual(expect.any(String));

    const log = await (await t.call(admin, 'GET', '/v1/audit')).json();
    expect(log.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['public_key.created', 'public_key.revoked']));
    expect(JSON.stringify(log)).not.toContain(created.key);
  });

  it('refuses origins that are not exact origins, unknown fields (422 unknown_field) and unknown query parameters (400)', async () => {
    const { t, admin } = await setup();
    for (const origin of ['https://app.example.com/chat', '*.example.com', 'https://*.example.com', 'ftp://app.example.com', 'app.example.com', 'null', 'https://u:p@app.example.com', 'https://app.example.com?x=1']) {
      const res = await t.call(admin, 'POST', '/v1/public-keys', { name: 'x', origins: [origin] });
      expect(res.status, origin).toBe(422);
    }
    expect((await t.call(admin, 'POST', '/v1/public-keys', { name: 'x', origins: [] })).status).toBe(422);
    expect((await t.call(admin, 'POST', '/v1/public-keys', { name: 'x', origins: [APP], kinds: ['poem'] })).status).toBe(422);
    expect((await t.call(admin, 'POST', '/v1/public-keys', { name: 'x', origins: [APP], ratePerMinute: 0 })).status).toBe(422);
    const unknown = await t.call(admin, 'POST', '/v1/public-keys', { name: 'x', origins: [APP], origin: APP });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_field', details: { unknown: ['origin'] } });
    const query = await t.call(admin, 'GET', '/v1/public-keys?all=1');
    expect(query.status).toBe(400);
    expect((await query.json()).error.code).toBe('unknown_parameter');
  });
});

describe('CORS on /v1/sync', () => {
  const preflight = (t: TestApp, origin: string) =>
    t.app.request('/v1/sync', {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });

  it('answers the preflight of an origin some live key lists, and no other (no CORS header at all)', async () => {
    const { t, admin } = await setup();
    const k = await makeKey(t, admin);
    const ok = await preflight(t, APP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(ok.headers.get('Vary')).toMatch(/Origin/);
    expect(ok.headers.get('Access-Control-Allow-Methods')).toBe('POST');
    expect(ok.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toBe('authorization,content-type');
    expect(Number(ok.headers.get('Access-Control-Max-Age'))).toBeGreaterThan(0);

    const refused = await preflight(t, OTHER);
    expect(refused.status).toBe(403);
    expect([...refused.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);

    // Revoked: this server stops answering for its origins at once.
    await t.call(admin, 'DELETE', `/v1/public-keys/${k.id}`);
    const after = await preflight(t, APP);
    expect(after.status).toBe(403);
    expect(after.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('refuses a key from another origin or without one (403 origin_not_allowed); a listed origin can read the refusal', async () => {
    const { t, admin, analyst } = await setup();
    const k = await makeKey(t, admin);
    await makeKey(t, admin, { name: 'other app', origins: ['https://other-app.example'] });
    const f = pageFeedback();

    const evil = await sync(t, k.key, [up(f)], {}, OTHER);
    expect(evil.status).toBe(403);
    expect((await evil.json()).error.code).toBe('origin_not_allowed');
    expect(evil.headers.get('Access-Control-Allow-Origin')).toBeNull();

    // Listed by another key, not by this one: refused, and readable by that page.
    const sibling = await sync(t, k.key, [up(f)], {}, 'https://other-app.example');
    expect(sibling.status).toBe(403);
    expect(sibling.headers.get('Access-Control-Allow-Origin')).toBe('https://other-app.example');

    const none = await sync(t, k.key, [up(f)], {}, null);
    expect(none.status).toBe(403);
    expect((await none.json()).error.code).toBe('origin_not_allowed');
    expect(await stored(t, analyst)).toEqual([]);

    const ok = await sync(t, k.key, [up(f)]);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    // An error of an allowed origin carries the header too (the page reads the JSON).
    const bad = await fromPage(t, k.key, 'POST', '/v1/sync', { mutations: [] });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('Access-Control-Allow-Origin')).toBe(APP);
  });
});

describe('what a public key may do', () => {
  it('nothing but POST /v1/sync: no reads, no deletes, no other route (403 public_key_not_allowed)', async () => {
    const { t, admin, analyst } = await setup();
    const k = await makeKey(t, admin);
    const f = pageFeedback();
    expect((await sync(t, k.key, [up(f)])).status).toBe(200);
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/v1/feedback'],
      ['GET', `/v1/feedback/${f.id}`],
      ['DELETE', `/v1/feedback/${f.id}`],
      ['PATCH', `/v1/feedback/${f.id}`, { rating: { thumb: 'down' } }],
      ['POST', '/v1/feedback', pageFeedback()],
      ['GET', '/v1/public-keys'],
      ['POST', '/v1/public-keys', { name: 'mine', origins: [APP] }],
      ['GET', '/v1/extension-config'],
      ['GET', '/v1/insights/stats'],
      ['GET', '/v1/exports/jsonl'],
      ['GET', `/v1/raters/anon_x/export`],
      ['GET', '/v1/sync'],
      ['POST', '/api/v1/conversation-feedback', {}],
      ['GET', '/metrics'],
    ];
    for (const [method, url, body] of attempts) {
      const res = await fromPage(t, k.key, method, url, body);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect((await res.json()).error.code, `${method} ${url}`).toBe('public_key_not_allowed');
    }
    const items = await stored(t, analyst);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: f.id, rating: { thumb: 'up' } });
  });

  it('writes people\'s ratings as the embed with the key\'s name; refuses deletes, other pages, other criteria and kinds, judges, queues', async () => {
    const { t, admin, analyst } = await setup();
    const k = await makeKey(t, admin, { criteria: ['overall', 'helpfulness'], kinds: ['chat_response'] });
    const good = pageFeedback({ source: { type: 'human' } });
    const helpful = pageFeedback({ criterion: 'helpfulness' });
    const noUrl = pageFeedback({}, { url: undefined });
    const elsewhere = pageFeedback({}, { url: `${OTHER}/chat/1` });
    const criterion = pageFeedback({ criterion: 'correctness' });
    const kind = pageFeedback({}, { kind: 'hypothesis' });
    const judge = pageFeedback({ source: { type: 'model', name: 'gpt-judge' } });
    const queue = pageFeedback({ queueId: 'q1' });
    const res = await sync(t, k.key, [
      up(good),
      { id: good.id, op: 'delete', updatedAt: new Date(Date.parse(good.updatedAt) + 1000).toISOString() },
      up({ ...helpful }),
      up(noUrl),
      up(elsewhere),
      up(criterion),
      up(kind),
      up(judge),
      up(queue),
      up({ ...pageFeedback(), deleted: true } as { id: string; updatedAt: string }),
    ]);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['configVersion', 'results', 'serverTime']);
    expect(body.results.map((r: { status: string; reason?: string }) => r.reason ?? r.status)).toEqual([
      'applied',
      'public_key_cannot_delete',
      'applied',
      'origin_not_allowed',
      'origin_not_allowed',
      'criterion_not_allowed',
      'kind_not_allowed',
      'source_not_allowed',
      'queue_not_allowed',
      'public_key_cannot_delete',
    ]);
    for (const r of body.results) if (r.status === 'rejected') expect(r.error).toEqual(expect.any(String));

    const items = await stored(t, analyst);
    expect(items.map((i) => i.id).sort()).toEqual([good.id, helpful.id].sort());
    for (const item of items) {
      expect(item.source).toEqual({ type: 'human', channel: 'embed', name: 'Support chat' });
      expect(item.raterId).toMatch(/^anon_[0-9a-f]{20}$/);
      expect(item.clientId).toBe('browser-1');
    }
    // Counted as people's ratings (no judge filter needed), and the record still has its text.
    expect(items.find((i) => i.id === good.id)!.target.prompt).toBe('How do I reset my password?');

    // Atomic: one refusal of the key's and nothing of the batch is written.
    const fine = pageFeedback();
    const atomic = await (await sync(t, k.key, [up(fine), up(pageFeedback({ criterion: 'correctness' }))], { atomic: true })).json();
    expect(atomic.results.map((r: { reason?: string }) => r.reason)).toEqual(['atomic_batch_not_applied', 'criterion_not_allowed']);
    expect((await stored(t, analyst)).some((i) => i.id === fine.id)).toBe(false);
  });

  it('rates as user:<id> when the page names its user, else as one anonymous rater per browser; a re-vote updates', async () => {
    const { t, admin, analyst } = await setup();
    const k = await makeKey(t, admin);
    const answer = `app:answer-${Math.random().toString(36).slice(2)}`;
    const vote = (thumb: 'up' | 'down', at: string) => pageFeedback({ rating: { thumb }, createdAt: at, updatedAt: at }, { key: answer });

    const byAlice = vote('up', '2026-01-02T10:00:00.000Z');
    expect((await sync(t, k.key, [up(byAlice)], { userId: 'alice@example.com' })).status).toBe(200);
    // Browser 1 and browser 2, anonymous: two raters; browser 1 again, a new id: one re-vote.
    const b1 = vote('up', '2026-01-02T10:01:00.000Z');
    const b2 = vote('down', '2026-01-02T10:02:00.000Z');
    const b1again = vote('down', '2026-01-02T10:03:00.000Z');
    expect((await sync(t, k.key, [up(b1)], { clientId: 'browser-1' })).status).toBe(200);
    expect((await sync(t, k.key, [up(b2)], { clientId: 'browser-2' })).status).toBe(200);
    const again = await sync(t, k.key, [up(b1again)], { clientId: 'browser-1' });
    expect((await again.json()).results[0].status).toBe('applied');
    // The same record changed (same id): an update of this rater's own record.
    const changed = { ...b2, rating: { thumb: 'up' }, updatedAt: '2026-01-02T10:04:00.000Z' };
    expect((await (await sync(t, k.key, [up(changed)], { clientId: 'browser-2' })).json()).results[0].status).toBe('applied');
    // Another browser cannot touch it.
    const hijack = { ...b2, rating: { thumb: 'down' }, updatedAt: '2026-01-02T10:05:00.000Z' };
    expect((await (await sync(t, k.key, [up(hijack)], { clientId: 'browser-3' })).json()).results[0].reason).toBe('owned_by_other_rater');

    const live = (await stored(t, analyst)).filter((i) => i.target.key === answer);
    expect(live).toHaveLength(3);
    const raters = live.map((i) => i.raterId);
    expect(raters).toContain('user:alice@example.com');
    expect(new Set(raters).size).toBe(3);
    expect(live.find((i) => i.id === b1again.id)!.rating).toEqual({ thumb: 'down' });
    expect(live.find((i) => i.id === b2.id)!.rating).toEqual({ thumb: 'up' });
    expect(live.find((i) => i.id === b1.id)).toBeUndefined(); // superseded by the re-vote

    // The app's user id is the rater the export and erasure know (issue 17, item 4).
    const alice = encodeURIComponent('user:alice@example.com');
    const exported = await t.call(admin, 'GET', `/v1/raters/${alice}/export`);
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain(byAlice.id);
    expect((await t.call(admin, 'DELETE', `/v1/raters/${alice}`)).status).toBe(200);
    expect((await stored(t, analyst)).filter((i) => i.raterId === 'user:alice@example.com')).toEqual([]);
  });

  it('with hashesOnly keeps the SHA-256 of the page\'s text and drops the text', async () => {
    const { t, admin, analyst } = await setup();
    const k = await makeKey(t, admin, { hashesOnly: true });
    const f = pageFeedback({ comment: 'my own words', correction: { output: 'the better answer' } }, { messages: [{ role: 'user', content: 'earlier turn' }] });
    const res = await sync(t, k.key, [up(f)]);
    expect((await res.json()).results[0].status).toBe('applied');
    const [item] = await stored(t, analyst);
    expect(item!.target.prompt).toBeUndefined();
    expect(item!.target.output).toBeUndefined();
    expect(item!.target.messages).toBeUndefined();
    expect(item!.target.promptHash).toBe(createHash('sha256').update('How do I reset my password?').digest('hex'));
    expect(item!.target.outputHash).toBe(createHash('sha256').update('Open Settings, then Security.').digest('hex'));
    expect(item!.correction).toBeUndefined();
    expect(item!.comment).toBe('my own words');
    const everything = JSON.stringify(await t.store.db.selectFrom('feedback_events').selectAll().execute());
    expect(everything).not.toContain('How do I reset my password?');
    // A replay of the same batch changes nothing.
    expect((await (await sync(t, k.key, [up(f)])).json()).results[0].status).toBe('unchanged');
  });

  it('is rate-limited per key (429 with Retry-After, readable by the page)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:05Z') });
    const { t, admin } = await setup();
    const k = await makeKey(t, admin, { ratePerMinute: 2 });
    const other = await makeKey(t, admin, { name: 'other' });
    const send = (key: string) => sync(t, key, [up(pageFeedback({ createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00.000Z' }))]);
    expect((await send(k.key)).status).toBe(200);
    expect((await send(k.key)).status).toBe(200);
    const limited = await send(k.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(limited.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(limited.headers.get('Access-Control-Expose-Headers')).toMatch(/Retry-After/);
    expect((await limited.json()).error.code).toBe('rate_limited');
    expect((await send(other.key)).status).toBe(200); // another key counts on its own
    vi.setSystemTime(new Date('2026-03-01T10:01:01Z')); // the next window
    expect((await send(k.key)).status).toBe(200);
  });

  it('a revoked key is refused (401) on the next request', async () => {
    const { t, admin } = await setup();
    const k = await makeKey(t, admin);
    expect((await sync(t, k.key, [up(pageFeedback())])).status).toBe(200);
    expect((await t.call(admin, 'DELETE', `/v1/public-keys/${k.id}`)).status).toBe(200);
    const res = await sync(t, k.key, [up(pageFeedback())]);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
    expect((await sync(t, 'gtpk_unknown', [])).status).toBe(401);
  });

  it('a key revoked by another server is refused here within a second (the lookup cache\'s TTL)', async () => {
    const { t, admin } = await setup();
    const k = await makeKey(t, admin);
    const restore = setClock(Date.parse('2026-03-01T10:00:00Z'));
    try {
      expect((await sync(t, k.key, [])).status).toBe(200); // looked up, cached
      // Another server's revocation: the row changes, this process is not told.
      await withPublicKeyTables(t.store.db).updateTable('public_keys').set({ revoked_at: '2026-03-01T10:00:00.000Z' }).where('id', '=', k.id).execute();
      setClock(Date.parse('2026-03-01T10:00:00.900Z'));
      expect((await sync(t, k.key, [])).status).toBe(200);
      setClock(Date.parse('2026-03-01T10:00:01.000Z'));
      expect((await sync(t, k.key, [])).status).toBe(401);
    } finally {
      restore();
    }
  });

  it('userId only with a public key: 422 with a token; too long 422', async () => {
    const { t, admin } = await setup();
    const rater = (await t.token('rater')).token;
    const res = await t.call(rater, 'POST', '/v1/sync', { clientId: 'c', mutations: [], userId: 'alice' });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('user_id_not_allowed');
    const k = await makeKey(t, admin);
    expect((await sync(t, k.key, [], { userId: 'x'.repeat(201) })).status).toBe(422);
    expect((await sync(t, k.key, [], { health: [] })).status).toBe(200);
  });
});

describe('the dashboard\'s tokens page', () => {
  const form = (data: Record<string, string>, cookie?: string) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost', ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(data).toString(),
  });
  async function signIn(t: TestApp, token: string) {
    const res = await t.app.request('/dashboard/sign-in', form({ token }));
    expect(res.status).toBe(303);
    const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const page = await t.app.request('/dashboard/tokens', { headers: { Cookie: cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    return { cookie, csrf };
  }

  it('makes a key (shown once, its name escaped), lists it with its limits and revokes it; CSRF checked; admins only', async () => {
    const { t, admin, analyst } = await setup();
    const { cookie, csrf } = await signIn(t, admin);
    expect(csrf).not.toBe('');
    const hostile = '<img src=x onerror=alert(1)>';
    const fields = { name: hostile, origins: 'https://app.example.com\nhttp://127.0.0.1:5173', criteria: 'overall, helpfulness', kinds: '', ratePerMinute: '30', hashesOnly: 'on' };

    expect((await t.app.request('/dashboard/tokens/public-keys', form(fields, cookie))).status).toBe(403); // no CSRF field
    const made = await t.app.request('/dashboard/tokens/public-keys', form({ ...fields, _csrf: csrf }, cookie));
    expect(made.status).toBe(201);
    const html = await made.text();
    const key = /data-gt="new-token">\s*(gtpk_[A-Za-z0-9_-]+)/.exec(html)?.[1];
    expect(key).toBeDefined();
    expect(html).not.toContain(hostile);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('http://127.0.0.1:5173');
    expect(html).toContain('hashes only');

    const again = await (await t.app.request('/dashboard/tokens', { headers: { Cookie: cookie } })).text();
    expect(again).not.toContain(key!);
    expect(again).toContain('data-gt="public-keys-table"');
    const [listed] = (await (await t.call(admin, 'GET', '/v1/public-keys')).json()).items;
    expect(listed).toMatchObject({ origins: [APP, 'http://127.0.0.1:5173'], criteria: ['overall', 'helpfulness'], kinds: null, ratePerMinute: 30, hashesOnly: true });
    expect((await sync(t, key!, [up(pageFeedback())])).status).toBe(200);

    const bad = await t.app.request('/dashboard/tokens/public-keys', form({ ...fields, origins: 'https://app.example.com/path', _csrf: csrf }, cookie));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Public key not created');

    const revoke = await t.app.request(`/dashboard/tokens/public-keys/${listed.id}/revoke`, form({ _csrf: csrf }, cookie));
    expect(revoke.status).toBe(303);
    expect((await sync(t, key!, [up(pageFeedback())])).status).toBe(401);
    expect(await (await t.app.request('/dashboard/tokens', { headers: { Cookie: cookie } })).text()).toMatch(/revoked /);

    const asAnalyst = await signIn(t, analyst);
    expect((await t.app.request('/dashboard/tokens', { headers: { Cookie: asAnalyst.cookie } })).status).toBe(403);
  });
});
