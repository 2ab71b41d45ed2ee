/**
 * Readiness (issue 18): may this server take traffic? The store answers a query, no migration of
 * this code is pending, and the background jobs started by `groundtruth serve` (the webhook worker,
 * the retention purge) are running and ticking. Liveness stays `/healthz` (routes/health.ts), which
 * checks nothing: a failing readiness takes a server out of rotation, it does not restart it.
 */
import { Migrator, sql, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from '../store/migrations/index.ts';
import type { Store } from '../store/open.ts';
import { jobBeats } from './heartbeat.ts';
import { queueLag, type QueueLag } from '../store/work-queue.ts';

/** The jobs `/readyz` expects (server/jobs/index.ts starts them; indexer: the work queue's worker). */
export const REQUIRED_JOBS = ['webhooks', 'retention', 'indexer'] as const;
/** How late a tick may be before the job counts as stuck. */
export const TICK_GRACE_MS = 60_000;

export interface Check {
  name: string;
  ok: boolean;
  error?: string;
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

async function storeAnswers(store: Store): Promise<Check> {
  try {
    await sql`select 1`.execute(store.db);
    return { name: 'store', ok: true };
  } catch {
    return { name: 'store', ok: false, error: 'the store does not answer' };
  }
}

async function migrationsCurrent(store: Store): Promise<Check> {
  try {
    const migrator = new Migrator({ db: store.db, provider, ...(store.schema ? { migrationTableSchema: store.schema } : {}) });
    const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
    return pending.length ? { name: 'migrations', ok: false, error: `pending: ${pending.join(', ')}` } : { name: 'migrations', ok: true };
  } catch {
    return { name: 'migrations', ok: false, error: 'cannot read the migrations table' };
  }
}

function jobsTicking(now: number): Check[] {
  const beats = jobBeats();
  return REQUIRED_JOBS.map((name) => {
    const beat = beats.get(name);
    if (!beat) return { name: `job:${name}`, ok: false, error: 'not started' };
    if (beat.stopped) return { name: `job:${name}`, ok: false, error: 'stopped' };
    const late = now - beat.dueAt;
    if (late > TICK_GRACE_MS) return { name: `job:${name}`, ok: false, error: `tick overdue by ${Math.round(late / 1000)} s` };
    return { name: `job:${name}`, ok: true };
  });
}

/** The work queue's lag (informational: a lagging queue is reported, not a reason to leave rotation). */
async function workQueue(store: Store, now: number): Promise<{ pending: number; oldestPendingSeconds: number } | undefined> {
  try {
    const lag: QueueLag = await queueLag(store.db, new Date(now));
    return { pending: lag.pending, oldestPendingSeconds: Math.round(lag.oldestSeconds) };
  } catch {
    return undefined; // an older schema or a store that does not answer (its own check says so)
  }
}

export async function readiness(
  store: Store,
  now = Date.now(),
): Promise<{ ok: boolean; checks: Check[]; queue?: { pending: number; oldestPendingSeconds: number } }> {
  const [storeCheck, migrations, queue] = await Promise.all([storeAnswers(store), migrationsCurrent(store), workQueue(store, now)]);
  const checks = [storeCheck, migrations, ...jobsTicking(now)];
  return { ok: checks.every((c) => c.ok), checks, ...(queue ? { queue } : {}) };
}
