/**
 * Crash campaign (issue 7): clients sync in batches, like the extension's outbox, while the real
 * server process is killed with SIGKILL at random moments and started again on the same store and
 * port. Clients keep every batch that was not answered and send it again. When the kills are done
 * and the outboxes drained, the store must hold exactly what the clients were told: every
 * acknowledged version (or a newer one), nothing they never sent, no duplicate, no version applied
 * twice; on SQLite, `PRAGMA integrity_check` says ok after every kill.
 *
 * Used by test/durability/crash.test.ts (≥ 20 kills per backend, in npm test) and by
 * `npm run bench crash` (more kills, more clients).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore, SQLITE_FILE_NAME, type Store } from '../../server/store/open.ts';
import { createToken } from '../../server/store/tokens.ts';
import { tempDir } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import { freePort, startServer, type ServerHandle } from '../helpers/server.ts';
import { checkStore, Ledger, newVersion, nextVersion, percentile, postSync, type Version } from './workload.ts';

export interface CrashOptions {
  backend: 'sqlite' | 'postgres';
  kills: number;
  clients?: number;
  batchSize?: number;
  /** The server is killed this long (random within) after it answered its health check. */
  uptimeMs?: [number, number];
}

export interface CrashReport {
  backend: string;
  kills: number;
  seconds: number;
  versionsSent: number;
  batchesAcknowledged: number;
  /** Batches cut off by a kill while in flight (sent, no answer). */
  batchesInterrupted: number;
  /** Attempts refused while the server was down (retried, as the extension does). */
  attemptsRefused: number;
  errors5xx: number;
  acknowledgedApplied: number;
  /** Versions answered `unchanged`: retries of a batch that had committed before its answer was lost. */
  replaysOfCommitted: number;
  restartMsP50: number;
  restartMsMax: number;
  integrityChecks: number;
  integrityFailures: string[];
  rows: number;
  events: number;
  problems: string[];
}

interface Client {
  token: string;
  clientId: string;
  outbox: Version[];
  /** Current version of each record this client owns. */
  records: Version[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.random() * (b - a);

/** The next few things a rater does: new votes, re-votes, a vote from a second device, deletes. */
function generate(c: Client, n: number, serial: { n: number }): Version[] {
  const out: Version[] = [];
  for (let i = 0; i < n; i++) {
    const live = c.records.filter((v) => !v.deleted);
    const r = Math.random();
    let v: Version;
    if (r < 0.45 || live.length < 3) v = newVersion(`${c.clientId}:t${serial.n++}`);
    else if (r < 0.8) v = nextVersion(live[Math.floor(Math.random() * live.length)]!);
    else if (r < 0.9) v = newVersion(live[Math.floor(Math.random() * live.length)]!.key); // second device: new id, same target
    else v = nextVersion(live[Math.floor(Math.random() * live.length)]!, true);
    const at = c.records.findIndex((x) => x.id === v.id);
    if (at >= 0) c.records[at] = v;
    else c.records.push(v);
    // A new id for a target supersedes the record that was live there.
    if (!v.deleted) for (const x of c.records) if (x.key === v.key && x.id !== v.id) c.records[c.records.indexOf(x)] = { ...x, deleted: true };
    out.push(v);
  }
  return out;
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export async function runCrashCampaign(opts: CrashOptions): Promise<CrashReport> {
  const clientsN = opts.clients ?? 4;
  const batchSize = opts.batchSize ?? 25;
  const [upMin, upMax] = opts.uptimeMs ?? [100, 700];
  const dataDir = tempDir('gt-crash-');
  const databaseUrl = opts.backend === 'postgres' ? await freshPostgresUrl('crash') : undefined;
  // The per-token rate limit is off: clients here retry at once, and the limit is not what is tested.
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '0', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  const sqliteFile = path.join(dataDir, SQLITE_FILE_NAME);
  const openDirect = (): Promise<Store> => (databaseUrl ? openStore({ databaseUrl, poolSize: 2 }) : openStore({ dataDir }));

  const setup = await openDirect();
  const clients: Client[] = [];
  for (let i = 0; i < clientsN; i++) {
    const { token } = await createToken(setup.db, { role: 'rater', name: `crash-${i}` });
    clients.push({ token, clientId: `crash-client-${i}`, outbox: [], records: [] });
  }
  await setup.close();

  const port = await freePort();
  const ledger = new Ledger();
  const started = performance.now();
  let server: ServerHandle = await startServer({ dataDir, port, env });
  const url = server.url;
  let generating = true;
  let interrupted = 0;
  let refused = 0;
  const serial = { n: 0 };

  const runClient = async (c: Client) => {
    for (;;) {
      if (generating && c.outbox.length < batchSize) c.outbox.push(...generate(c, batchSize - c.outbox.length, serial));
      if (!c.outbox.length) return;
      const batch = c.outbox.slice(0, batchSize);
      batch.forEach((v) => ledger.sent(v));
      const answer = await postSync(url, c.token, c.clientId, batch, 10_000);
      if (ledger.answer(batch, answer)) c.outbox.splice(0, batch.length);
      else {
        if (answer.code === 'ECONNREFUSED') refused++;
        else interrupted++;
        await sleep(rand(50, 150)); // the extension backs off with jitter; short here to keep the test quick
      }
    }
  };
  const running = Promise.all(clients.map(runClient));

  const restartMs: number[] = [];
  const integrityFailures: string[] = [];
  let integrityChecks = 0;
  for (let k = 0; k < opts.kills; k++) {
    await sleep(rand(upMin, upMax));
    await server.stop('SIGKILL');
    const down = performance.now();
    if (!databaseUrl) {
      const result = integrity(sqliteFile);
      integrityChecks++;
      if (result !== 'ok') integrityFailures.push(`after kill ${k + 1}: ${result}`);
    }
    server = await startServer({ dataDir, port, env });
    restartMs.push(performance.now() - down);
  }
  generating = false;
  await running;
  await server.stop('SIGTERM');
  const seconds = (performance.now() - started) / 1000;

  if (!databaseUrl) {
    const result = integrity(sqliteFile);
    integrityChecks++;
    if (result !== 'ok') integrityFailures.push(`at the end: ${result}`);
  }
  const store = await openDirect();
  try {
    const problems = await checkStore(store, ledger);
    const rows = await store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const events = await store.db.selectFrom('feedback_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const statuses = [...ledger.acks.values()].flat();
    restartMs.sort((a, b) => a - b);
    return {
      backend: opts.backend,
      kills: opts.kills,
      seconds: Math.round(seconds * 10) / 10,
      versionsSent: ledger.mutationsSent,
      batchesAcknowledged: ledger.http.ok,
      batchesInterrupted: interrupted,
      attemptsRefused: refused,
      errors5xx: ledger.http.errors5xx,
      acknowledgedApplied: statuses.filter((s) => s === 'applied').length,
      replaysOfCommitted: statuses.filter((s) => s === 'unchanged').length,
      restartMsP50: Math.round(percentile(restartMs, 50)),
      restartMsMax: Math.round(restartMs.at(-1) ?? 0),
      integrityChecks,
      integrityFailures,
      rows: Number(rows.n),
      events: Number(events.n),
      problems: [...problems, ...ledger.bodies5xx.map((b) => `5xx: ${b}`)],
    };
  } finally {
    await store.close();
    if (databaseUrl) await dropPostgresSchema(databaseUrl);
  }
}
