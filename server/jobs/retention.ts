/**
 * Applies each workspace's retention setting once a day (env RETENTION_INTERVAL_HOURS), from the
 * serving process. Whether a workspace is due is read from the store (last_purged_at), so a
 * restart neither skips a day nor purges twice in one.
 */
import type { Kysely } from 'kysely';
import { purgeOlderThan, type PurgeReport } from '../store/erase.ts';
import type { DB } from '../store/schema.ts';
import { markPurged, workspacesDueForRetention } from '../store/settings.ts';
import { expectTick, jobStopped } from '../metrics/heartbeat.ts';

export interface RetentionScheduleOptions {
  intervalMs?: number;
  /** How often to look whether a workspace is due (at most the interval; an hour by default). */
  checkEveryMs?: number;
  /** The first look, shortly after start-up. */
  firstCheckMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface RetentionSchedule {
  runOnce(): Promise<PurgeReport[]>;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

export async function applyRetention(db: Kysely<DB>, { intervalMs = DAY_MS, now = new Date() } = {}): Promise<PurgeReport[]> {
  const reports: PurgeReport[] = [];
  for (const { workspaceId, retentionDays } of await workspacesDueForRetention(db, new Date(now.getTime() - intervalMs))) {
    reports.push(await purgeOlderThan(db, { workspaceId, before: new Date(now.getTime() - retentionDays * DAY_MS) }));
    await markPurged(db, workspaceId, now);
  }
  return reports;
}

export function startRetentionSchedule(db: Kysely<DB>, options: RetentionScheduleOptions = {}): RetentionSchedule {
  const intervalMs = options.intervalMs ?? DAY_MS;
  const checkEveryMs = options.checkEveryMs ?? Math.min(intervalMs, 3_600_000);
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  const runOnce = async () => {
    const reports = await applyRetention(db, { intervalMs, now: now() });
    for (const r of reports) {
      log(`retention: workspace ${r.workspaceId}: deleted ${r.feedback} feedback, ${r.events} events, ${r.deliveries} deliveries, ${r.items} items, ${r.traceEvents} trace events created before ${r.before}`);
    }
    return reports;
  };
  const tick = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err) => log(`retention: ${(err as Error).message}`))
        .finally(() => tick(checkEveryMs));
    }, delay);
    timer.unref?.();
    expectTick('retention', delay); // readiness (metrics/heartbeat.ts)
  };
  tick(options.firstCheckMs ?? Math.min(checkEveryMs, 5_000));

  return {
    runOnce,
    async stop() {
      stopped = true;
      jobStopped('retention');
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
