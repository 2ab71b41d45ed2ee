/**
 * Issue 13, item 3: webhooks must not turn the server into a port scanner of its own network.
 * Loopback, link-local, private and special addresses are refused when a webhook is created (a
 * literal address in the URL) and when a delivery connects (the address DNS gave, checked on the
 * socket), unless the operator opens them (WEBHOOK_ALLOW_PRIVATE=1 or WEBHOOK_ALLOWED_HOSTS).
 * The delivery log never names an internal address or port. DNS is the one thing faked here (it
 * would leave the machine); the receivers are real HTTP servers on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { EnvError, parseEnv } from '../env.ts';
import { withGovernance } from '../store/governance-tables.ts';
import { startWebhookWorker, type WebhookWorkerOptions } from './worker.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A receiver on 127.0.0.1 that answers `status` (with `headers`) and records what it got. */
async function receiver(status = 200, headers: Record<string, string> = {}) {
  const received: { url: string; host: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ url: req.url ?? '', host: req.headers.host });
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { port, received };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function setup() {
  const t = await createTestApp();
  cleanup.push(() => t.store.close());
  const admin = (await t.token('admin')).token;
  const rater = (await t.token('rater')).token;
  return { ...t, admin, rater };
}

type T = Awaited<ReturnType<typeof setup>>;

/** A webhook row as if created before this check existed (or with a hostname): no creation-time check. */
async function insertHook(t: T, url: string): Promise<string> {
  const id = `hook-${Math.random().toString(36).slice(2)}`;
  await withGovernance(t.store.db)
    .insertInto('webhooks')
    .values({ id, workspace_id: 'default', url, events: '["feedback.negative"]', threshold: null, secret: 'whsec_x', created_at: new Date().toISOString(), created_by: null })
    .execute();
  return id;
}

/** One negative vote → one delivery per webhook; runs the worker once and returns each hook's last attempt. */
async function deliverOnce(t: T, options: WebhookWorkerOptions) {
  expect((await t.call(t.rater, 'POST', '/v1/feedback', makeFeedback({ rating: { thumb: 'down' } }))).status).toBe(201);
  const w = startWebhookWorker(t.store.db, { pollMs: 60_000, timeoutMs: 3000, ...options });
  cleanup.push(() => w.stop());
  await w.runOnce();
  return withGovernance(t.store.db).selectFrom('webhook_deliveries').select(['webhook_id', 'status', 'last_status_code', 'last_error', 'attempts']).execute();
}

/** Fake DNS: every name resolves to `address`. */
const resolveTo = (address: string) => async () => [{ address, family: address.includes(':') ? 6 : 4 }];

const PRIVATE_URLS = [
  'http://127.0.0.1/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://0/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://[::1]/hook',
  'http://[fe80::1]/hook',
  'http://[fd00::1]/hook',
  'http://[::]/hook',
  'http://224.0.0.1/hook',
  'http://localhost:8787/hook',
  'http://api.localhost/hook',
];

describe('webhook SSRF: creating a webhook', () => {
  it('refuses loopback, link-local, private and special addresses with 422 naming why, and stores nothing', async () => {
    const t = await setup();
    for (const url of PRIVATE_URLS) {
      const res = await t.call(t.admin, 'POST', '/v1/webhooks', { url, events: ['feedback.negative'] });
      expect(res.status, url).toBe(422);
      const body = await res.json();
      expect(body.error.code, url).toBe('webhook_address_not_allowed');
      expect(body.error.message, url).toMatch(/loopback|link-local|private|special|unspecified|multicast|localhost/);
      expect(body.error.message, url).toMatch(/WEBHOOK_ALLOW_PRIVATE|WEBHOOK_ALLOWED_HOSTS/);
    }
    expect(await withGovernance(t.store.db).selectFrom('webhooks').select('id').execute()).toEqual([]);
    // Public receivers still work.
    for (const url of ['https://hooks.example.com/gt', 'http://203.0.114.9/hook', 'https://[2606:4700::1111]/hook']) {
      expect((await t.call(t.admin, 'POST', '/v1/webhooks', { url, events: ['feedback.negative'] })).status, url).toBe(201);
    }
  });

  it('accepts them when the operator opens private addresses (WEBHOOK_ALLOW_PRIVATE) or lists the host', async () => {
    const open = await createTestApp({ webhookAddresses: { allowPrivate: true, allowedHosts: [] } });
    cleanup.push(() => open.store.close());
    const admin = (await open.token('admin')).token;
    expect((await open.call(admin, 'POST', '/v1/webhooks', { url: 'http://10.1.2.3/hook', events: ['feedback.negative'] })).status).toBe(201);

    const listed = await createTestApp({ webhookAddresses: { allowPrivate: false, allowedHosts: ['hooks.corp.internal', '10.20.0.0/16'] } });
    cleanup.push(() => listed.store.close());
    const admin2 = (await listed.token('admin')).token;
    expect((await listed.call(admin2, 'POST', '/v1/webhooks', { url: 'http://10.20.3.4/hook', events: ['feedback.negative'] })).status).toBe(201);
    expect((await listed.call(admin2, 'POST', '/v1/webhooks', { url: 'http://hooks.corp.internal/hook', events: ['feedback.negative'] })).status).toBe(201);
    expect((await listed.call(admin2, 'POST', '/v1/webhooks', { url: 'http://10.21.0.1/hook', events: ['feedback.negative'] })).status).toBe(422);
  });
});

describe('webhook SSRF: delivering', () => {
  it('refuses a hostname that resolves to a private address, without connecting, and says so without the address', async () => {
    const t = await setup();
    const rx = await receiver(200);
    const id = await insertHook(t, `http://hooks.receiver.test:${rx.port}/hook`);
    const [d] = await deliverOnce(t, { resolve: resolveTo('127.0.0.1') });
    expect(rx.received).toEqual([]);
    expect(d).toMatchObject({ webhook_id: id, status: 'pending', attempts: 1, last_status_code: null });
    expect(d!.last_error).toMatch(/not allowed/);
    expect(d!.last_error).not.toContain('127.0.0.1');
    expect(d!.last_error).not.toContain(String(rx.port));
  });

  it('refuses a stored webhook with a literal private address (created before the check) without connecting', async () => {
    const t = await setup();
    const rx = await receiver(200);
    await insertHook(t, `http://[::ffff:127.0.0.1]:${rx.port}/hook`);
    await insertHook(t, `http://2130706433:${rx.port}/hook`);
    const ds = await deliverOnce(t, {});
    expect(rx.received).toEqual([]);
    expect(ds).toHaveLength(2);
    for (const d of ds) expect(d.last_error).toMatch(/not allowed/);
  });

  it('delivers to such receivers once the operator allows private addresses or lists the host', async () => {
    const t = await setup();
    const rx = await receiver(204);
    await insertHook(t, `http://hooks.receiver.test:${rx.port}/hook`);
    const [d] = await deliverOnce(t, { resolve: resolveTo('127.0.0.1'), addresses: { allowPrivate: true, allowedHosts: [] } });
    expect(d).toMatchObject({ status: 'delivered', last_status_code: 204, last_error: null });
    expect(rx.received).toEqual([{ url: '/hook', host: `hooks.receiver.test:${rx.port}` }]);

    const u = await setup();
    const rx2 = await receiver(200);
    await insertHook(u, `http://hooks.receiver.test:${rx2.port}/hook`);
    const [d2] = await deliverOnce(u, { resolve: resolveTo('127.0.0.1'), addresses: { allowPrivate: false, allowedHosts: ['hooks.receiver.test'] } });
    expect(d2).toMatchObject({ status: 'delivered', last_status_code: 200 });
    expect(rx2.received).toHaveLength(1);
  });

  it('does not follow a redirect (to the metadata address or anywhere): the 3xx is the answer', async () => {
    const t = await setup();
    const target = await receiver(200);
    const rx = await receiver(302, { Location: `http://127.0.0.1:${target.port}/latest/meta-data/` });
    await insertHook(t, `http://127.0.0.1:${rx.port}/hook`);
    const [d] = await deliverOnce(t, { addresses: { allowPrivate: false, allowedHosts: ['127.0.0.1'] } });
    expect(rx.received).toHaveLength(1);
    expect(target.received).toEqual([]);
    expect(d).toMatchObject({ last_status_code: 302, last_error: 'HTTP 302' });
  });

  it('names no internal detail when a connection fails (no address, no port, no system message)', async () => {
    const t = await setup();
    const port = await closedPort();
    await insertHook(t, `http://127.0.0.1:${port}/hook`);
    const [d] = await deliverOnce(t, { addresses: { allowPrivate: true, allowedHosts: [] } });
    expect(d!.last_error).toBe('connection refused');
    expect(d!.last_error).not.toContain(String(port));

    const u = await setup();
    await insertHook(u, 'http://no-such-host.invalid/hook');
    const [e] = await deliverOnce(u, { resolve: async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND no-such-host.invalid'), { code: 'ENOTFOUND' })) });
    expect(e!.last_error).toBe('could not resolve the host name');
  });
});

describe('webhook address policy', () => {
  // Imported here, not at the top, so the other tests of this file run (and fail) without the module.
  const policyModule = () => import('./address-policy.ts');

  it('classifies addresses: special ranges refused (IPv4-mapped IPv6 too), public ones allowed', async () => {
    const { addressRefusal } = await policyModule();
    const policy = { allowPrivate: false, allowedHosts: [] };
    for (const a of ['127.0.0.1', '127.255.0.9', '0.0.0.0', '10.0.0.1', '100.64.1.1', '169.254.169.254', '172.31.255.255', '192.0.0.8', '192.168.0.1', '198.18.0.1', '224.0.0.251', '255.255.255.255', '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '64:ff9b::a00:1', '2002:7f00:1::1']) {
      expect(addressRefusal(a, policy), a).toBeTruthy();
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '203.0.114.9', '172.32.0.1', '2606:4700::1111', '2a00:1450:4001:80b::200e']) {
      expect(addressRefusal(a, policy), a).toBeUndefined();
    }
    expect(addressRefusal('10.0.0.1', { allowPrivate: true, allowedHosts: [] })).toBeUndefined();
    expect(addressRefusal('10.0.0.1', { allowPrivate: false, allowedHosts: ['10.0.0.0/24'] })).toBeUndefined();
    expect(addressRefusal('10.0.1.1', { allowPrivate: false, allowedHosts: ['10.0.0.0/24'] })).toBeTruthy();
  });

  it('reads the literal address however the URL spells it', async () => {
    const { urlRefusal } = await policyModule();
    const policy = { allowPrivate: false, allowedHosts: [] };
    for (const url of PRIVATE_URLS) expect(urlRefusal(url, policy), url).toBeTruthy();
    expect(urlRefusal('https://hooks.example.com/x', policy)).toBeUndefined();
  });

  it('is set by WEBHOOK_ALLOW_PRIVATE and WEBHOOK_ALLOWED_HOSTS, refused by default, and a bad entry stops start-up', () => {
    expect(parseEnv({}).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(parseEnv({}).WEBHOOK_ALLOWED_HOSTS).toEqual([]);
    expect(parseEnv({ WEBHOOK_ALLOW_PRIVATE: '1' }).WEBHOOK_ALLOW_PRIVATE).toBe(true);
    expect(parseEnv({ WEBHOOK_ALLOW_PRIVATE: '0' }).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(parseEnv({ WEBHOOK_ALLOWED_HOSTS: 'hooks.corp.internal, 10.0.0.0/8,192.168.1.5' }).WEBHOOK_ALLOWED_HOSTS).toEqual([
      'hooks.corp.internal',
      '10.0.0.0/8',
      '192.168.1.5',
    ]);
    expect(() => parseEnv({ WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(EnvError);
    expect(() => parseEnv({ WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/99' })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => parseEnv({ WEBHOOK_ALLOWED_HOSTS: 'http://x/' })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
  });
});
