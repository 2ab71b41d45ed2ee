/**
 * Issue 13, item 10 (accountability): an append-only audit log of admin and analyst actions —
 * who, what, when, from where — readable by admins (GET /v1/audit, /dashboard/audit), under its
 * own retention; the CLI's actions are in it too (actor "cli" and the OS user). Tokens may carry
 * an expiry, shown in the token lists and refused after it (401 saying so).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback, tempDir, upsert } from '../../test/helpers/app.ts';
import { parseEnv } from '../env.ts';
import { openStore } from '../store/open.ts';
import { createToken } from '../store/tokens.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');
const ORIGIN = 'http://localhost';
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
const any = (db: unknown) => db as Kysely<any>;

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const t = await createTestApp({ rateLimitPerMinute: 0 });
  cleanup.push(() => t.store.close());
  const admin = await t.token('admin', { name: 'Ada Admin' });
  const analyst = await t.token('analyst', { name: 'Ana Analyst' });
  const rater = await t.token('rater', { name: 'Rae Rater' });
  /** A JSON request with a bearer token, from a client address. */
  const call = (token: string, method: string, url: string, body?: unknown, address = '198.51.100.20') =>
    t.app.request(
      url,
      {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      from(address),
    );
  return { ...t, admin, analyst, rater, call };
}

type Entry = {
  id: string;
  at: string;
  actor: { type: string; id: string; name: string | null; role: string | null };
  via: string;
  address: string | null;
  action: string;
  target: { type: string; id: string } | null;
  details: Record<string, unknown> | null;
};

describe('the audit log of API actions', () => {
  it('records who did what, when and from where, newest first, for admins of the workspace only', async () => {
    const t = await setup();
    const started = Date.now();
    const hook = await (await t.call(t.admin.token, 'POST', '/v1/webhooks', { url: 'https://hooks.example.com/secret-path?key=abc', events: ['feedback.negative'] })).json();
    expect((await t.call(t.admin.token, 'DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(200);
    expect((await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 30 })).status).toBe(200);
    expect((await t.call(t.admin.token, 'PUT', '/v1/extension-config', { rules: [], disabledAdapters: ['gemini'] })).status).toBe(200);
    const exported = await t.call(t.analyst.token, 'GET', '/v1/exports/jsonl?all=true', undefined, '203.0.113.7');
    expect(exported.status).toBe(200);
    await exported.text();
    const runId = exported.headers.get('X-Groundtruth-Export-Run');
    // A rater with data, exported and erased by the admin.
    const f = makeFeedback({ comment: 'private words of the rater' });
    expect((await t.call(t.rater.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(f)] })).status).toBe(200);
    const dump = await t.call(t.admin.token, 'GET', `/v1/raters/${t.rater.info.raterId}/export`);
    expect(dump.status).toBe(200);
    await dump.text();
    expect((await t.call(t.admin.token, 'DELETE', `/v1/raters/${t.rater.info.raterId}`)).status).toBe(200);
    // Refused requests leave no entry.
    expect((await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 0 })).status).toBe(422);
    expect((await t.call(t.analyst.token, 'PATCH', '/v1/settings', { retentionDays: 5 })).status).toBe(403);

    const res = await t.call(t.admin.token, 'GET', '/v1/audit');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Entry[] };
    expect(items.map((e) => e.action)).toEqual([
      'rater.erased',
      'rater.exported',
      'export.created',
      'extension_config.published',
      'settings.changed',
      'webhook.deleted',
      'webhook.created',
    ]);
    const adminActor = { type: 'token', id: t.admin.info.id, name: 'Ada Admin', role: 'admin' };
    const [erased, raterExport, exportRun, config, settings, deleted, created] = items as [Entry, Entry, Entry, Entry, Entry, Entry, Entry];
    expect(created).toMatchObject({ actor: adminActor, via: 'api', address: '198.51.100.20', target: { type: 'webhook', id: hook.id } });
    // The webhook URL's path and query may hold a receiver's secret: only its origin is kept.
    expect(created.details).toEqual({ origin: 'https://hooks.example.com', events: ['feedback.negative'] });
    expect(deleted).toMatchObject({ actor: adminActor, target: { type: 'webhook', id: hook.id } });
    expect(settings).toMatchObject({ target: { type: 'settings', id: 'default' }, details: { retentionDays: 30 } });
    expect(config).toMatchObject({ target: { type: 'extension_config', id: 'default' }, details: { version: 1 } });
    expect(exportRun).toMatchObject({
      actor: { type: 'token', id: t.analyst.info.id, name: 'Ana Analyst', role: 'analyst' },
      address: '203.0.113.7',
      target: { type: 'export_run', id: runId },
      details: { format: 'jsonl' },
    });
    expect(raterExport).toMatchObject({ target: { type: 'rater', id: t.rater.info.raterId } });
    // The erased rater is named by id only: no name, no text of theirs.
    expect(erased).toMatchObject({ actor: adminActor, target: { type: 'rater', id: t.rater.info.raterId } });
    expect(JSON.stringify(erased)).not.toContain('Rae Rater');
    expect(JSON.stringify(items)).not.toContain('private words');
    for (const e of items) {
      expect(Date.parse(e.at)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(e.at)).toBeLessThanOrEqual(Date.now());
    }

    // Admins only, and only their workspace; paging and an action filter; unknown parameters refused.
    expect((await t.call(t.analyst.token, 'GET', '/v1/audit')).status).toBe(403);
    const other = (await t.token('admin', { workspaceId: 'elsewhere' })).token;
    expect((await (await t.call(other, 'GET', '/v1/audit')).json()).items).toEqual([]);
    const page1 = await (await t.call(t.admin.token, 'GET', '/v1/audit?limit=3')).json();
    expect(page1.items).toHaveLength(3);
    const page2 = await (await t.call(t.admin.token, 'GET', `/v1/audit?limit=10&cursor=${page1.nextCursor}`)).json();
    expect([...page1.items, ...page2.items].map((e: Entry) => e.id)).toEqual(items.map((e) => e.id));
    expect(page2.nextCursor).toBeNull();
    const onlyWebhooks = await (await t.call(t.admin.token, 'GET', '/v1/audit?action=webhook.created')).json();
    expect(onlyWebhooks.items.map((e: Entry) => e.action)).toEqual(['webhook.created']);
    const unknown = await t.call(t.admin.token, 'GET', '/v1/audit?actor=me');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.code).toBe('unknown_parameter');
  });

  it('is append-only: no route changes it and the database refuses an UPDATE', async () => {
    const t = await setup();
    await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 30 });
    const [entry] = (await (await t.call(t.admin.token, 'GET', '/v1/audit')).json()).items as Entry[];
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const res = await t.call(t.admin.token, method, `/v1/audit/${entry!.id}`, method === 'DELETE' ? undefined : { action: 'nothing' });
      expect(res.status, method).toBe(404);
    }
    await expect(sql`update audit_log set action = 'nothing'`.execute(t.store.db)).rejects.toThrow(/append-only/);
    expect((await (await t.call(t.admin.token, 'GET', '/v1/audit')).json()).items[0].action).toBe('settings.changed');
  });

  it('keeps entries for AUDIT_RETENTION_DAYS (365 by default), then the retention job removes them', async () => {
    expect(parseEnv({}).AUDIT_RETENTION_DAYS).toBe(365);
    expect(parseEnv({ AUDIT_RETENTION_DAYS: '30' }).AUDIT_RETENTION_DAYS).toBe(30);
    expect(() => parseEnv({ AUDIT_RETENTION_DAYS: '0' })).toThrow(/AUDIT_RETENTION_DAYS/);
    const t = await setup();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-01-01T00:00:00Z') });
    await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 10 });
    vi.setSystemTime(new Date('2026-01-01T12:00:00Z'));
    await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 20 });
    vi.useRealTimers();
    const { applyAuditRetention } = await import('./retention.ts');
    expect(await applyAuditRetention(t.store.db, { days: 300, now: new Date('2026-01-02T00:00:00Z') })).toBe(1);
    const items = (await (await t.call(t.admin.token, 'GET', '/v1/audit')).json()).items as Entry[];
    expect(items.map((e) => e.details)).toEqual([{ retentionDays: 20 }]);
  });
});

describe('token expiry', () => {
  it('accepts a token until it expires, then answers 401 saying it expired (API and dashboard)', async () => {
    const t = await setup();
    const soon = await createToken(t.store.db, { role: 'analyst', name: 'temp', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(soon.info.expiresAt).not.toBeNull();
    expect((await t.call(soon.token, 'GET', '/v1/feedback')).status).toBe(200);
    const past = await createToken(t.store.db, { role: 'analyst', name: 'old', expiresAt: new Date(Date.now() - 1000).toISOString() });
    const refused = await t.call(past.token, 'GET', '/v1/feedback');
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toMatch(/expired/);
    const signIn = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
      body: new URLSearchParams({ token: past.token }).toString(),
    });
    expect(signIn.status).toBe(401);
    expect(await signIn.text()).toMatch(/expired/);

    // A session signed in before the expiry ends with it.
    const ok = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
      body: new URLSearchParams({ token: soon.token }).toString(),
    });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('Set-Cookie')!.split(';')[0]!;
    expect((await t.app.request('/dashboard/feedback', { headers: { Cookie: cookie } })).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3_600_000 });
    expect((await t.call(soon.token, 'GET', '/v1/feedback')).status).toBe(401);
    expect((await t.app.request('/dashboard/feedback', { headers: { Cookie: cookie } })).status).toBe(401);
  });
});

describe('the dashboard', () => {
  async function signIn(t: Awaited<ReturnType<typeof setup>>, token: string) {
    const res = await t.app.request(
      '/dashboard/sign-in',
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN }, body: new URLSearchParams({ token }).toString() },
      from('192.0.2.44'),
    );
    expect(res.status).toBe(303);
    const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
    const page = await (await t.app.request('/dashboard/tokens', { headers: { Cookie: cookie } }, from('192.0.2.44'))).text();
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
  }
  const post = (t: Awaited<ReturnType<typeof setup>>, s: { cookie: string; csrf: string }, url: string, data: Record<string, string>) =>
    t.app.request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, Cookie: s.cookie },
        body: new URLSearchParams({ ...data, _csrf: s.csrf }).toString(),
      },
      from('192.0.2.44'),
    );

  it('creates a token with an expiry (shown in the list), revokes it, and both are on the audit page', async () => {
    const t = await setup();
    const s = await signIn(t, t.admin.token);
    const created = await post(t, s, '/dashboard/tokens', { name: 'contractor', role: 'analyst', expires: '90d' });
    expect(created.status).toBe(201);
    const html = await created.text();
    const token = /data-gt="new-token">\s*(gt_[\w-]+)/.exec(html)?.[1];
    expect(token).toBeTruthy();
    const row = await any(t.store.db).selectFrom('tokens').select(['id', 'expires_at']).where('name', '=', 'contractor').executeTakeFirstOrThrow();
    const days = (Date.parse(row.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    expect(html).toContain(`expires ${row.expires_at.slice(0, 10)}`);
    expect((await post(t, s, '/dashboard/tokens', { name: 'x', role: 'analyst', expires: 'forever-ish' })).status).toBe(422);
    expect((await post(t, s, `/dashboard/tokens/${row.id}/revoke`, {})).status).toBe(303);

    const page = await t.app.request('/dashboard/audit', { headers: { Cookie: s.cookie } }, from('192.0.2.44'));
    expect(page.status).toBe(200);
    const audit = await page.text();
    expect(audit).toContain('token.revoked');
    expect(audit).toContain('token.created');
    expect(audit).toContain('Ada Admin');
    expect(audit).toContain('192.0.2.44');
    const items = (await (await t.call(t.admin.token, 'GET', '/v1/audit')).json()).items as Entry[];
    expect(items.slice(0, 2)).toMatchObject([
      { action: 'token.revoked', via: 'dashboard', address: '192.0.2.44', target: { type: 'token', id: row.id } },
      // Token names are often people's names: the entry names the token and its rater by id.
      { action: 'token.created', via: 'dashboard', target: { type: 'token', id: row.id }, details: { role: 'analyst', raterId: expect.any(String), expiresAt: row.expires_at } },
    ]);

    const analyst = await signIn(t, t.analyst.token);
    expect((await t.app.request('/dashboard/audit', { headers: { Cookie: analyst.cookie } })).status).toBe(403);
    // A download from the dashboard is the API's export, recorded as coming through the dashboard.
    const download = await t.app.request('/dashboard/exports/download/csv?all=true', { headers: { Cookie: analyst.cookie } }, from('192.0.2.45'));
    expect(download.status).toBe(200);
    await download.text();
    const [exported] = (await (await t.call(t.admin.token, 'GET', '/v1/audit?action=export.created')).json()).items as Entry[];
    expect(exported).toMatchObject({ via: 'dashboard', address: '192.0.2.45', actor: { id: t.analyst.info.id }, details: { format: 'csv' } });
  });
});

describe('the CLI', () => {
  it('audits token create/revoke, purge, erase-rater, export and import with actor "cli" and the OS user; token create --expires', async () => {
    const dataDir = tempDir();
    const env = { ...process.env, DATA_DIR: dataDir };
    const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env });
    await cli('token', 'create', '--role', 'admin', '--name', 'ops', '--expires', '90d');
    const rater = await cli('token', 'create', '--role', 'rater', '--name', 'leaver');
    const listed = JSON.parse((await cli('token', 'list', '--json')).stdout) as { id: string; name: string; raterId: string; expiresAt: string | null }[];
    const ops = listed.find((x) => x.name === 'ops')!;
    const leaver = listed.find((x) => x.name === 'leaver')!;
    expect(Math.round((Date.parse(ops.expiresAt!) - Date.now()) / 86_400_000)).toBe(90);
    expect(leaver.expiresAt).toBeNull();
    expect((await cli('token', 'list')).stdout).toMatch(/expires \d{4}-\d\d-\d\d/);
    const bad = await cli('token', 'create', '--role', 'admin', '--name', 'x', '--expires', 'soon').catch((e) => e);
    expect(bad.code).toBe(1);
    expect(rater.stdout).toMatch(/gt_/);
    await cli('token', 'revoke', ops.id);
    await cli('purge', '--older-than', '30d');
    await cli('erase-rater', leaver.raterId);
    const file = path.join(dataDir, 'backup.jsonl');
    await cli('export', '--format', 'jsonl', '--all', '--out', file);
    await cli('import', file, '--workspace', 'default');

    const store = await openStore({ dataDir });
    cleanup.push(() => store.close());
    const rows = await any(store.db).selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual([
      'token.created',
      'token.created',
      'token.revoked',
      'purge.completed',
      'rater.erased',
      'export.created',
      'import.completed',
    ]);
    const user = os.userInfo().username;
    for (const r of rows) expect(r).toMatchObject({ actor_type: 'cli', actor_id: user, via: 'cli', workspace_id: 'default' });
    expect(rows[0]).toMatchObject({ target_type: 'token', target_id: ops.id });
    expect(JSON.parse(rows[0]!.details)).toEqual({ role: 'admin', raterId: expect.any(String), expiresAt: ops.expiresAt });
    expect(rows[4]).toMatchObject({ target_type: 'rater', target_id: leaver.raterId });
    expect(rows[5]).toMatchObject({ target_type: 'export_run' });
    expect(JSON.parse(rows[6]!.details)).toMatchObject({ file: 'backup.jsonl', partial: false });
    // The erased rater is named by id only, here and in the entry of their token.
    expect(JSON.stringify(rows)).not.toContain('leaver');
  }, 600_000); // a bound, not a wait: a dozen CLI starts through tsx, 20 s each at load 20
});
