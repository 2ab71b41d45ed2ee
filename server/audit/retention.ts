/**
 * The audit log's own retention (env AUDIT_RETENTION_DAYS, 365 by default): independent of the
 * workspaces' feedback retention, so purging feedback after 30 days still leaves a year of who
 * did what. Applied by the serving process once a day.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { purgeAuditBefore } from './log.ts';

const DAY_MS = 86_400_000;

export async function applyAuditRetention(db: Kysely<DB>, { days, now = new Date() }: { days: number; now?: Date }): Promise<number> {
  return purgeAuditBefore(db, new Date(now.getTime() - days * DAY_MS));
}

export interface AuditRetentionSchedule {
  stop(): Promise<void>;
}

export function startAuditRetention(
  db: Kysely<DB>,
  { days, intervalMs = DAY_MS, firstCheckMs = 60_000, log = () => {} }: { days: number; intervalMs?: number; firstCheckMs?: number; log?: (line: string) => void },
): AuditRetentionSchedule {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = applyAuditRetention(db, { days })
        .then((n) => n && log(`audit retention: removed ${n} entries older than ${days} days`))
        .catch((err) => log(`audit retention: ${(err as Error).message}`))
        .finally(() => tick(intervalMs));
    }, delay);
    timer.unref?.();
  };
  tick(firstCheckMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
