/**
 * Load (issue 7): sustained sync for 60 s at the highest rate this machine holds, on SQLite and on
 * PostgreSQL, against the real server process over HTTP.
 *
 * 1. Ramp: closed-loop clients (each waits for its answer, then sends the next batch) at 1, 2, 4,
 *    8, 16 and 32 in flight, a few seconds each; the rate the machine holds is the smallest
 *    concurrency that reaches 95% of the best throughput (more in flight only adds queueing).
 * 2. Sustain that for GT_LOAD_SECONDS (default 60): latency of every batch (p50/p90/p99/max),
 *    throughput per 5 s window, and the server's resident memory every second (flat = the last
 *    10 s within a few MB of the first 10 s after warm-up).
 *
 * A batch is what the extension sends after a few ratings: 10 mutations, 70% new records and 30%
 * re-votes of earlier ones, for 16 raters. The rate limit is off (RATE_LIMIT_PER_MINUTE=0): this
 * measures the server, not the limit. The load generator runs on the same 2 cores as the server,
 * so the figures are a floor for a dedicated machine.
 * `npm run bench load` (GT_LOAD_BACKENDS=sqlite or postgres to run one).
 */
import fs from 'node:fs';
import { openStore } from '../../server/store/open.ts';
import { createToken } from '../../server/store/tokens.ts';
import { tempDir } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { newVersion, nextVersion, percentile, postSync, type Version } from '../durability/workload.ts';
import type { Bench } from './index.ts';

const SECONDS = Number(process.env.GT_LOAD_SECONDS ?? 60);
const RAMP_SECONDS = Number(process.env.GT_LOAD_RAMP_SECONDS ?? 4);
const BATCH = 10;
const RATERS = 16;
const LEVELS = [1, 2, 4, 8, 16, 32];

interface Rater {
  token: string;
  clientId: string;
  records: Version[];
  serial: number;
}

function nextBatch(r: Rater): Version[] {
  const out: Version[] = [];
  for (let i = 0; i < BATCH; i++) {
    if (r.records.length > 20 && Math.random() < 0.3) {
      const j = Math.floor(Math.random() * r.records.length);
      r.records[j] = nextVersion(r.records[j]!);
      out.push(r.records[j]!);
    } else {
      const v = newVersion(`${r.clientId}:m${r.serial++}`);
      r.records.push(v);
      if (r.records.length > 2000) r.records.shift();
      out.push(v);
    }
  }
  // One version per id in a batch.
  return out.filter((v, i) => out.findIndex((x) => x.id === v.id) === i);
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Phase {
  batches: number;
  mutations: number;
  errors: number;
  latencies: number[];
  windows: number[];
}

/** `inFlight` closed-loop clients for `seconds`; batches per 5 s window. */
async function drive(url: string | string[], raters: Rater[], inFlight: number, seconds: number, onSecond?: () => void): Promise<Phase> {
  const urls = Array.isArray(url) ? url : [url];
  const phase: Phase = { batches: 0, mutations: 0, errors: 0, latencies: [], windows: [] };
  const start = performance.now();
  const end = start + seconds * 1000;
  const ticker = onSecond ? setInterval(onSecond, 1000) : undefined;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const r = raters[next++ % raters.length]!;
        const batch = nextBatch(r);
        const t0 = performance.now();
        // Several servers: each batch to the next one, as a load balancer without stickiness does.
        const answer = await postSync(urls[next % urls.length]!, r.token, r.clientId, batch, 30_000);
        const t1 = performance.now();
        if (answer.httpStatus !== 200) {
          phase.errors++;
          continue;
        }
        phase.batches++;
        phase.mutations += batch.length;
        phase.latencies.push(t1 - t0);
        const w = Math.floor((t1 - start) / 5000);
        phase.windows[w] = (phase.windows[w] ?? 0) + 1;
      }
    }),
  );
  if (ticker) clearInterval(ticker);
  phase.latencies.sort((a, b) => a - b);
  return phase;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function loadOne(backend: 'sqlite' | 'postgres') {
  const dataDir = tempDir('gt-load-');
  const databaseUrl = backend === 'postgres' ? await freshPostgresUrl('load') : undefined;
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  const setup = databaseUrl ? await openStore({ databaseUrl, poolSize: 2 }) : await openStore({ dataDir });
  const raters: Rater[] = [];
  for (let i = 0; i < RATERS; i++) {
    const { token } = await createToken(setup.db, { role: 'rater', name: `load-${i}` });
    raters.push({ token, clientId: `load-${i}`, records: [], serial: 0 });
  }
  await setup.close();
  const server: ServerHandle = await startServer({ dataDir, env });
  const pid = server.process.pid!;
  try {
    const ramp: Record<number, number> = {};
    for (const level of LEVELS) {
      const p = await drive(server.url, raters, level, RAMP_SECONDS);
      ramp[level] = round(p.batches / RAMP_SECONDS);
    }
    const best = Math.max(...Object.values(ramp));
    const chosen = LEVELS.find((l) => ramp[l]! >= 0.95 * best)!;

    const rss: number[] = [];
    const sustained = await drive(server.url, raters, chosen, SECONDS, () => rss.push(rssMb(pid)));
    const first = rss.slice(5, 15);
    const last = rss.slice(-10);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const lat = sustained.latencies;
    const store = databaseUrl ? await openStore({ databaseUrl, poolSize: 2 }) : await openStore({ dataDir });
    const rows = await store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await store.close();
    return {
      rampBatchesPerSecond: ramp,
      inFlight: chosen,
      seconds: SECONDS,
      batchesPerSecond: round(sustained.batches / SECONDS),
      mutationsPerSecond: round(sustained.mutations / SECONDS),
      errors: sustained.errors,
      latencyMs: {
        p50: round(percentile(lat, 50)),
        p90: round(percentile(lat, 90)),
        p99: round(percentile(lat, 99)),
        max: round(lat.at(-1) ?? NaN),
      },
      batchesPer5s: sustained.windows,
      serverRssMb: {
        firstTenSecondsAfterWarmup: round(median(first)),
        lastTenSeconds: round(median(last)),
        max: round(Math.max(...rss)),
        growth: round(median(last) - median(first)),
      },
      feedbackRowsAtEnd: Number(rows.n),
    };
  } finally {
    await server.stop();
    if (databaseUrl) await dropPostgresSchema(databaseUrl);
  }
}

/**
 * Issue 19: PostgreSQL mutations/s with one server and with three on the same database, the same
 * clients (16 in flight) for GT_LOAD_SERVERS_SECONDS (20) each, one after the other on fresh
 * schemas. On 2 cores shared by the servers, PostgreSQL and the load generator this shows
 * contention, not scaling: reported, no target.
 */
async function serversOnPostgres(count: number, seconds: number) {
  const databaseUrl = await freshPostgresUrl(`servers${count}`);
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', DATABASE_URL: databaseUrl };
  const setup = await openStore({ databaseUrl, poolSize: 2 });
  const raters: Rater[] = [];
  for (let i = 0; i < RATERS; i++) {
    const { token } = await createToken(setup.db, { role: 'rater', name: `load-${i}` });
    raters.push({ token, clientId: `load-${i}`, records: [], serial: 0 });
  }
  await setup.close();
  const servers: ServerHandle[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServer({ dataDir: tempDir('gt-load-pg-'), env }));
    const urls = servers.map((s) => s.url);
    await drive(urls, raters, 16, 3); // warm-up
    const p = await drive(urls, raters, 16, seconds);
    return {
      servers: count,
      mutationsPerSecond: round(p.mutations / seconds),
      batchesPerSecond: round(p.batches / seconds),
      errors: p.errors,
      latencyMs: { p50: round(percentile(p.latencies, 50)), p99: round(percentile(p.latencies, 99)) },
    };
  } finally {
    for (const s of servers) await s.stop();
    await dropPostgresSchema(databaseUrl);
  }
}

export const serversBench: Bench = {
  name: 'load-servers',
  description: 'PostgreSQL: sustained POST /v1/sync with one server and with three on the same database (16 in flight)',
  async run() {
    const seconds = Number(process.env.GT_LOAD_SERVERS_SECONDS ?? 20);
    const one = await serversOnPostgres(1, seconds);
    const three = await serversOnPostgres(3, seconds);
    return { one, three, threeOverOne: round(three.mutationsPerSecond / one.mutationsPerSecond, 2), note: 'contention on 2 cores, not scaling; no target' };
  },
};

const bench: Bench = {
  name: 'load',
  description: `sustained POST /v1/sync (${BATCH} mutations per batch) for ${SECONDS} s at the highest rate held, SQLite and PostgreSQL`,
  async run() {
    const backends = (process.env.GT_LOAD_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as ('sqlite' | 'postgres')[];
    const out: Record<string, unknown> = { cores: (await import('node:os')).cpus().length };
    for (const b of backends) out[b] = await loadOne(b);
    return out;
  },
};
export default bench;
