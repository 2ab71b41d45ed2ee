/**
 * Connect a browser without pasting (issue 15, item 3): a signed-in person makes a one-time code
 * in the rater area, and POST /v1/connect trades it, with no token, for a rater token of that
 * person. Real app and store (SQLite, or a PostgreSQL schema in the PostgreSQL run); expiry from
 * the settable clock; the client address passed the way @hono/node-server passes it.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app.ts';
import { listAudit } from '../audit/log.ts';
import { resetClock, setClock } from '../lib/clock.ts';
import { withConnectTables } from '../store/connect-tables.ts';
import { createTestApp, makeFeedback, upsert, yielding } from '../../test/helpers/app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type App = TestApp['app'];
const ORIGIN = 'http://localhost';
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  vi.useRealTimers();
  resetClock();
  await t.store.close();
});

async function signIn(app: App, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(res.status).toBe(303);
  const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  const page = await (await app.request('/dashboard/connect', { headers: { Cookie: cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  expect(csrf).not.toBe('');
  return { cookie, csrf };
}

function post(app: App, path: string, who: { cookie: string; csrf: string }, fields: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, Cookie: who.cookie },
    body: new URLSearchParams({ _csrf: who.csrf, ...fields }).toString(),
  });
}

async function makeCode(app: App, who: { cookie: string; csrf: string }): Promise<{ code: string; page: string }> {
  const res = await post(app, '/dashboard/connect', who);
  const page = await res.text();
  expect(res.status, page.slice(0, 300)).toBe(201);
  const code = /data-gt="connect-code">([^<]+)</.exec(page)?.[1] ?? '';
  expect(code).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
  return { code, page };
}

function connect(app: App, body: unknown, address?: string) {
  return app.request(
    '/v1/connect',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) },
    address ? from(address) : undefined,
  );
}

async function alice() {
  return signIn(t.app, (await t.token('rater', { raterId: 'alice', name: 'Alice' })).token);
}

describe('making a connect code', () => {
  it('needs a signed-in person: without a session the page is the sign-in and the form is 401', async () => {
    expect((await t.app.request('/dashboard/connect')).status).toBe(401);
    const res = await t.app.request('/dashboard/connect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
      body: '',
    });
    expect(res.status).toBe(401);
    // And a wrong CSRF field is refused.
    const who = await alice();
    expect((await post(t.app, '/dashboard/connect', { ...who, csrf: 'nope' })).status).toBe(403);
    expect(await withConnectTables(t.store.db).selectFrom('connect_codes').selectAll().execute()).toEqual([]);
  });

  it('shows the code with its expiry (10 minutes, from the settable clock) and the server address; stores only its hash', async () => {
    setClock(new Date('2026-03-01T10:00:00.000Z'));
    const { code, page } = await makeCode(t.app, await alice());
    expect(page).toContain('data-gt="connect-server">http://127.0.0.1:8787<');
    expect(page).toContain('datetime="2026-03-01T10:10:00.000Z"');
    const rows = await withConnectTables(t.store.db).selectFrom('connect_codes').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rater_id: 'alice', expires_at: '2026-03-01T10:10:00.000Z', used_at: null });
    expect(rows[0]!.code_hash).toBe(createHash('sha256').update(code.replace('-', '')).digest('hex'));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(code.replace('-', ''));
    const audited = await listAudit(t.store.db, 'default', { limit: 50 });
    expect(audited.items.map((e) => e.action)).toContain('connect_code.created');
  });
});

describe('POST /v1/connect', () => {
  it('gives a new rater token of the same rater, which syncs as that rater; the code works once', async () => {
    const who = await alice();
    const { code } = await makeCode(t.app, who);
    // Case, dashes and spaces do not matter; no Authorization header at all.
    const res = await connect(t.app, { code: ` ${code.toLowerCase().replace('-', ' ')} `, deviceName: 'Chrome on the laptop' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; raterId: string; workspaceId: string; serverUrl: string; name: string };
    expect(body).toMatchObject({ raterId: 'alice', workspaceId: 'default', serverUrl: 'http://127.0.0.1:8787', name: 'Chrome on the laptop' });
    expect(body.token).toMatch(/^gt_/);

    const feedback = makeFeedback();
    const sync = await t.call(body.token, 'POST', '/v1/sync', { clientId: 'second-device', mutations: [upsert(feedback)] });
    expect(sync.status).toBe(200);
    expect(((await sync.json()) as { results: { status: string }[] }).results[0]!.status).toBe('applied');
    const stored = await t.store.db.selectFrom('feedback').select('rater_id').where('id', '=', feedback.id).executeTakeFirstOrThrow();
    expect(stored.rater_id).toBe('alice');

    const again = await connect(t.app, { code });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'connect_code_used' } });

    const actions = (await listAudit(t.store.db, 'default', { limit: 50 })).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['connect_code.created', 'connect_code.used', 'token.created']));
  });

  it('refuses an expired code (410) by the settable clock, without sleeping', async () => {
    setClock(new Date('2026-03-01T10:00:00.000Z'));
    const { code } = await makeCode(t.app, await alice());
    setClock(new Date('2026-03-01T10:10:00.000Z'));
    const res = await connect(t.app, { code });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ error: { code: 'connect_code_expired' } });
    setClock(new Date('2026-03-01T10:09:59.000Z'));
    expect((await connect(t.app, { code })).status).toBe(201);
  });

  it('a wrong code is 404 in words; a bad body 422 (an unknown field is unknown_field); not JSON 400', async () => {
    await makeCode(t.app, await alice());
    for (const code of ['ZZZZ-ZZZZ', 'not a code', '0000-OOOO']) {
      const res = await connect(t.app, { code });
      expect(res.status, code).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('connect_code_not_found');
      expect(body.error.message).toMatch(/No such connect code/);
    }
    const unknown = await connect(t.app, { code: 'ZZZZ-ZZZZ', token: 'x' });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_field', details: { unknown: ['token'] } } });
    expect((await connect(t.app, { deviceName: 'x' })).status).toBe(422);
    expect((await connect(t.app, '{nope')).status).toBe(400);
  });

  it('is limited per client address, before the code is looked at', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:05Z') });
    const app = yielding(createApp({ store: t.store, rateLimitUnauthenticatedPerMinute: 3 }));
    const { code } = await makeCode(app, await signIn(app, (await t.token('rater', { raterId: 'alice' })).token));
    for (let i = 0; i < 3; i++) expect((await connect(app, { code: 'ZZZZ-ZZZZ' }, '203.0.113.9')).status, `guess ${i + 1}`).toBe(404);
    const limited = await connect(app, { code }, '203.0.113.9');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address is not affected, and the right code still works there.
    expect((await connect(app, { code }, '203.0.113.10')).status).toBe(201);
  });
});

describe('the rater area lists the rater\'s browsers', () => {
  it('shows the connected browser and lets the rater revoke it (then it no longer syncs); another rater\'s token is not theirs to revoke', async () => {
    const who = await alice();
    const { code } = await makeCode(t.app, who);
    const { token, tokenId } = (await (await connect(t.app, { code, deviceName: 'Firefox at home' })).json()) as { token: string; tokenId: string };
    const page = await (await t.app.request('/dashboard/connect', { headers: { Cookie: who.cookie } })).text();
    expect(page).toContain('Firefox at home');
    expect(page).toContain(`data-token-id="${tokenId}"`);

    const bob = await t.token('rater', { raterId: 'bob', name: 'Bob' });
    expect(page).not.toContain(bob.info.id);
    expect((await post(t.app, `/dashboard/connect/tokens/${bob.info.id}/revoke`, who)).status).toBe(404);
    expect((await t.call(bob.token, 'GET', '/v1/extension-config')).status).toBe(200);

    const revoked = await post(t.app, `/dashboard/connect/tokens/${tokenId}/revoke`, who);
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('Location')).toBe('/dashboard/connect');
    expect((await t.call(token, 'POST', '/v1/sync', { clientId: 'x', mutations: [] })).status).toBe(401);
    const after = await (await t.app.request('/dashboard/connect', { headers: { Cookie: who.cookie } })).text();
    expect(after).toMatch(/Firefox at home[\s\S]*revoked/);
  });
});
