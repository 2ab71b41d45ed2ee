/**
 * Governance against the real server process (`groundtruth serve`) and the real CLI: backups while
 * the server writes, purge and erase-rater from the command line, the webhook worker and the
 * retention schedule that serve starts, and the rate limit as configured by env.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../../test/helpers/server.ts';
import { tempDir } from '../../../test/helpers/app.ts';
import { openStore } from '../../store/open.ts';
import { verifySignature } from '../../webhooks/signature.ts';
import { parseDuration } from '../duration.ts';

// Each CLI call starts a Node process through tsx: seconds each on a busy machine.
const SLOW = { timeout: 180_000 };
const running: ServerHandle[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  for (const c of closers.splice(0)) await c();
});

async function serve(env: Record<string, string> = {}, dataDir?: string) {
  const s = await startServer({ dataDir, env: { LOG_LEVEL: 'info', ...env } });
  running.push(s);
  return s;
}

function feedback(overrides: Record<string, unknown> = {}) {
  const at = new Date().toISOString();
  const id = crypto.randomUUID();
  return { id, target: { kind: 'chat_response', key: `k-${id}`, model: 'm', prompt: 'p', output: 'o' }, rating: { thumb: 'up' }, createdAt: at, updatedAt: at, ...overrides };
}

function api(s: ServerHandle, token: string) {
  return (method: string, url: string, body?: unknown) =>
    fetch(`${s.url}${url}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** A count that tests can await: `reached(n)` resolves once it is n or more (an event, no polling). */
function counter() {
  let n = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    get value() {
      return n;
    },
    add() {
      n++;
      for (const w of waiting.filter((w) => n >= w.n)) w.resolve();
    },
    reached: (target: number) => (n >= target ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n: target, resolve }))),
  };
}

describe('parseDuration', () => {
  it('reads 365d, 12w, 48h, 1y and refuses anything else', () => {
    expect(parseDuration('365d')).toBe(365 * 86_400_000);
    expect(parseDuration('12w')).toBe(84 * 86_400_000);
    expect(parseDuration('48h')).toBe(48 * 3_600_000);
    expect(parseDuration('1Y')).toBe(365 * 86_400_000);
    for (const bad of ['365', 'd', '0d', '-1d', '1.5d', '3 months']) expect(() => parseDuration(bad)).toThrow(/not a duration/);
  });
});

describe('groundtruth backup', () => {
  it('takes a consistent, verified snapshot while the server is writing', SLOW, async () => {
    const s = await serve();
    const rater = api(s, await s.createToken('rater', 'writer'));
    let writing = true;
    const batches = counter();
    const writer = (async () => {
      while (writing) {
        const mutations = Array.from({ length: 50 }, () => {
          const f = feedback({ comment: 'x'.repeat(200) });
          return { id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f };
        });
        const res = await rater('POST', '/v1/sync', { clientId: 'w', mutations });
        expect(res.status).toBe(200);
        batches.add();
      }
    })();
    await batches.reached(5);
    const file = path.join(tempDir('gt-backup-'), 'nested', 'copy.sqlite');
    const started = batches.value;
    const out = await s.cli(['backup', file, '--json']);
    await batches.reached(batches.value + 3); // the server kept writing after the copy, too
    writing = false;
    await writer;
    const report = JSON.parse(out.stdout);
    expect(report).toMatchObject({ file, integrity: 'ok' });
    expect(report.feedback % 50).toBe(0); // whole batches only: one batch is one transaction
    expect(report.feedback).toBeGreaterThanOrEqual(started * 50);

    // The copy opens as a store, with every record's creation event (same transaction) present.
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const orphans = raw.prepare("select count(*) n from feedback f where not exists (select 1 from feedback_events e where e.feedback_id = f.id and e.op = 'create')").get() as { n: number };
    expect(orphans.n).toBe(0);
    expect((raw.prepare('select count(*) n from feedback').get() as { n: number }).n).toBe(report.feedback);
    raw.close();
    const restored = await openStore({ sqliteFile: file });
    expect(Number((await restored.db.selectFrom('feedback').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(report.feedback);
    await restored.close();

    // Refuses to overwrite without --force, and says so in one line.
    const again = await s.cli(['backup', file]).catch((e) => e);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; pass --force/);
    expect((await s.cli(['backup', file, '--force'])).stdout).toMatch(/integrity check: ok/);
  });
});

describe('groundtruth purge and erase-rater', () => {
  it('purge --older-than deletes only what is older; erase-rater removes one rater', SLOW, async () => {
    const s = await serve();
    const adminCall = api(s, s.adminToken!);
    const aliceToken = await s.createToken('rater', 'alice');
    const alice = api(s, aliceToken);
    const bob = api(s, await s.createToken('rater', 'bob'));
    const old = feedback({ createdAt: '2023-05-01T00:00:00Z', updatedAt: '2023-05-01T00:00:00Z' });
    const fresh = feedback();
    expect((await alice('POST', '/v1/feedback', old)).status).toBe(201);
    expect((await alice('POST', '/v1/feedback', fresh)).status).toBe(201);
    const bobs = feedback();
    expect((await bob('POST', '/v1/feedback', bobs)).status).toBe(201);

    const dry = await s.cli(['purge', '--older-than', '365d', '--dry-run']);
    expect(dry.stdout).toMatch(/would delete 1 feedback records/);
    expect((await (await adminCall('GET', '/v1/feedback')).json()).items).toHaveLength(3);
    const purged = await s.cli(['purge', '--older-than', '365d']);
    expect(purged.stdout).toMatch(/deleted 1 feedback records, 1 events/);
    const left = (await (await adminCall('GET', '/v1/feedback')).json()).items.map((f: { id: string }) => f.id);
    expect(left.sort()).toEqual([fresh.id, bobs.id].sort());
    const bad = await s.cli(['purge', '--older-than', 'a year']).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a duration/);

    const tokens = JSON.parse((await s.cli(['token', 'list', '--json'])).stdout) as { name: string; raterId: string }[];
    const aliceId = tokens.find((t) => t.name === 'alice')!.raterId;
    const erased = await s.cli(['erase-rater', aliceId]);
    expect(erased.stdout).toMatch(new RegExp(`Erased rater ${aliceId} from workspace default: 1 feedback records, 1 events .* 1 tokens`));
    expect((await (await adminCall('GET', '/v1/feedback')).json()).items.map((f: { id: string }) => f.id)).toEqual([bobs.id]);
    expect((await alice('GET', '/v1/feedback')).status).toBe(401);
    const none = await s.cli(['erase-rater', aliceId]).catch((e) => e);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No rater/);
  });

  it('the server applies a workspace retention setting by itself', SLOW, async () => {
    // A "day" of 1.8 s, so the schedule runs during the test. (That nothing happens without a
    // setting is shown by server/jobs/retention.test.ts, where time is the test's.)
    const s = await serve({ RETENTION_INTERVAL_HOURS: '0.0005' });
    const admin = api(s, s.adminToken!);
    const rater = api(s, await s.createToken('rater'));
    const old = feedback({ createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' });
    const fresh = feedback();
    await rater('POST', '/v1/feedback', old);
    await rater('POST', '/v1/feedback', fresh);
    expect((await admin('PATCH', '/v1/settings', { retentionDays: 30 })).status).toBe(200);
    // The schedule says what it deleted: that line is the event to wait for.
    await s.waitForOutput(/retention: workspace default: deleted 1 feedback/);
    const settings = await (await admin('GET', '/v1/settings')).json();
    expect(settings.retentionDays).toBe(30);
    expect(settings.lastPurgedAt).toBeTruthy();
    expect((await (await admin('GET', '/v1/feedback')).json()).items.map((f: { id: string }) => f.id)).toEqual([fresh.id]);
  });
});

describe('webhooks and rate limits in the running server', () => {
  it('serve delivers signed webhooks with retries, and stops promptly on SIGTERM with a receiver hanging', SLOW, async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const hanging: http.ServerResponse[] = [];
    const answered = counter();
    const held = counter();
    const rx = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (req.url === '/hang') {
          hanging.push(res);
          return held.add();
        }
        res.writeHead(received.length === 1 ? 502 : 204).end();
        answered.add();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          rx.closeAllConnections();
          rx.close(() => r());
        }),
    );
    const base = `http://127.0.0.1:${(rx.address() as AddressInfo).port}`;

    // The receiver listens on 127.0.0.1: a private address, refused unless the operator allows it.
    // An attempt times out only after an hour, longer than this test may run: if a vote or SIGTERM
    // waited for the hanging receiver, the test would time out (no wall-clock budget).
    const s = await serve({ WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_TIMEOUT_MS: '3600000', WEBHOOK_ALLOW_PRIVATE: '1' });
    const admin = api(s, s.adminToken!);
    const { secret } = await (await admin('POST', '/v1/webhooks', { url: `${base}/ok`, events: ['feedback.negative'] })).json();
    const rater = api(s, await s.createToken('rater'));
    const down = feedback({ rating: { thumb: 'down' } });
    expect((await rater('POST', '/v1/feedback', down)).status).toBe(201);
    await answered.reached(2);
    for (const r of received) expect(verifySignature(r.headers['x-groundtruth-signature'] as string, r.body, secret).ok).toBe(true);
    expect(JSON.parse(received[1]!.body).data.feedback.id).toBe(down.id);

    // A receiver that never answers: the worker is waiting on it when SIGTERM comes.
    await admin('POST', '/v1/webhooks', { url: `${base}/hang`, events: ['feedback.negative'] });
    await rater('POST', '/v1/feedback', feedback({ rating: { thumb: 'down' } }));
    await held.reached(1);
    // Real sockets: every vote now raises a delivery to the hanging receiver; none waits for it.
    for (let i = 0; i < 20; i++) {
      expect((await rater('POST', '/v1/feedback', feedback({ rating: { thumb: 'down' } }))).status).toBe(201);
    }
    await held.reached(8); // the worker's whole concurrency is stuck on it
    // Exits cleanly while all eight still hang: waiting for them would outlast the test's timeout.
    expect(await s.stop('SIGTERM')).toBe(0);
  });

  it('answer 429 with Retry-After past RATE_LIMIT_PER_MINUTE, per token, never on /healthz', SLOW, async () => {
    const s = await serve({ RATE_LIMIT_PER_MINUTE: '5' });
    const a = api(s, await s.createToken('rater'));
    const b = api(s, await s.createToken('rater'));
    // Windows are aligned to clock minutes and this server runs on the real clock: a run that
    // crosses a minute starts the count again halfway, so count the answers before the first 429.
    const minute = () => Math.floor(Date.now() / 60_000);
    const started = minute();
    let ok = 0;
    let limited: Response | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await a('GET', '/v1/feedback');
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(200);
        ok++;
      }
    }
    if (!limited) throw new Error(`no 429 after ${ok} requests with RATE_LIMIT_PER_MINUTE=5`);
    if (minute() === started) expect(ok).toBe(5);
    else expect(ok).toBeGreaterThanOrEqual(5);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');
    expect((await b('GET', '/v1/feedback')).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});
