/**
 * When to sync: soon after a rating (debounced), at start-up, on the periodic alarm, and when the
 * rater presses "Sync now". One run at a time; triggers that arrive meanwhile fold into one next
 * run. After a failure the next automatic attempt waits (exponential backoff with jitter, at least
 * the server's Retry-After); 429, 5xx and network errors also get a timer of their own. The
 * backoff and the last result are kept in the outbox's meta table, so they outlive the MV3
 * service worker (which stops after ~30 s idle; the alarm wakes it again).
 */
import type { Outbox } from '../outbox/outbox.ts';
import { backoffDelay, type BackoffOptions } from '../../shared/backoff.ts';
import type { SyncOptions, SyncReport } from './client.ts';
import { RETRYABLE, type FailureKind } from './http.ts';

type SyncReason = 'rating' | 'startup' | 'alarm' | 'sync-now' | 'settings' | 'retry';

/** Reasons that ignore the backoff: the rater asked, or changed what the last failure was about. */
const FORCED: ReadonlySet<SyncReason> = new Set(['sync-now', 'settings']);

const SOON_DELAY_MS = 1_000;
const CONFIG_MAX_AGE_MS = 5 * 60_000;
/** Retry timers longer than this are left to the alarm (the worker would be gone by then). */
const MAX_TIMER_MS = 5 * 60_000;

export interface LastSync {
  at: number;
  ok: boolean;
  kind?: FailureKind;
  error?: string;
  sent: number;
  synced: number;
  rejected: number;
  /** When the next automatic attempt may run (after a failure). */
  nextAttemptAt?: number;
}

interface BackoffState {
  failures: number;
  nextAttemptAt: number;
}

interface SchedulerDeps {
  outbox: Outbox;
  run(options: SyncOptions): Promise<SyncReport>;
  /** Work besides pending ratings that is worth waking a sync for (health visits waiting). */
  hasOtherWork?(): Promise<boolean>;
  onReport?(report: SyncReport): void | Promise<void>;
  now?: () => number;
  backoff?: BackoffOptions;
  soonDelayMs?: number;
  configMaxAgeMs?: number;
}

export class SyncScheduler {
  private readonly now: () => number;
  private soonTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private queued: { force: boolean; reason: SyncReason; promise: Promise<SyncReport | undefined> } | undefined;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A rating was saved: sync shortly, once for a burst of ratings. */
  soon(): void {
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.trigger('rating');
    }, this.deps.soonDelayMs ?? SOON_DELAY_MS);
  }

  /**
   * Runs a sync after the current one (if any). Resolves to its report, or undefined when the
   * run was skipped (backing off, or an alarm with nothing to do).
   */
  trigger(reason: SyncReason): Promise<SyncReport | undefined> {
    const force = FORCED.has(reason);
    if (this.queued) {
      this.queued.force ||= force;
      if (force) this.queued.reason = reason;
      return this.queued.promise;
    }
    const entry = { force, reason, promise: undefined as unknown as Promise<SyncReport | undefined> };
    entry.promise = this.tail.then(() => {
      this.queued = undefined;
      return this.runOnce(entry.force, entry.reason);
    });
    this.queued = entry;
    this.tail = entry.promise.catch(() => undefined);
    return entry.promise;
  }

  async lastSync(): Promise<LastSync | undefined> {
    return this.deps.outbox.getMeta<LastSync>('lastSync');
  }

  /** Forget the backoff (new settings: the old failure may be gone). */
  async resetBackoff(): Promise<void> {
    await this.deps.outbox.setMeta('backoff', { failures: 0, nextAttemptAt: 0 } satisfies BackoffState);
  }

  /** Resolves when no run is in progress or queued. */
  async idle(): Promise<void> {
    let tail;
    do {
      tail = this.tail;
      await tail;
    } while (tail !== this.tail);
  }

  dispose(): void {
    if (this.soonTimer) clearTimeout(this.soonTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async runOnce(force: boolean, reason: SyncReason): Promise<SyncReport | undefined> {
    const { outbox } = this.deps;
    const now = this.now();
    const backoff = (await outbox.getMeta<BackoffState>('backoff')) ?? { failures: 0, nextAttemptAt: 0 };
    if (!force && backoff.nextAttemptAt > now) return undefined;
    const configAt = (await outbox.getMeta<number>('configFetchedAt')) ?? 0;
    const configStale = now - configAt > (this.deps.configMaxAgeMs ?? CONFIG_MAX_AGE_MS);
    // The worker starts often (any message or alarm wakes it): only work when there is work.
    const idleCheck = reason === 'alarm' || reason === 'startup';
    if (idleCheck && !configStale && !(await outbox.hasPending()) && !(await this.deps.hasOtherWork?.())) return undefined;

    const fetchConfig = force || configStale;
    let report: SyncReport;
    try {
      report = await this.deps.run({ fetchConfig });
    } catch (err) {
      // A bug or a broken database must not stop future syncs; report it like any failure.
      const at = this.now();
      report = {
        ok: false,
        failure: { kind: 'refused', message: `Sync failed inside the extension: ${err instanceof Error ? err.message : String(err)}` },
        sent: 0, synced: 0, rejected: 0, changed: [], configFetched: false, startedAt: at, finishedAt: at,
      };
    }
    if (report.configFetched) await outbox.setMeta('configFetchedAt', report.finishedAt);

    const last: LastSync = { at: report.finishedAt, ok: report.ok, sent: report.sent, synced: report.synced, rejected: report.rejected };
    if (report.ok) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      await outbox.setMeta('backoff', { failures: 0, nextAttemptAt: 0 } satisfies BackoffState);
    } else {
      const failure = report.failure!;
      const failures = backoff.failures + 1;
      const delay = backoffDelay(failures, failure.retryAfterMs, this.deps.backoff);
      const nextAttemptAt = report.finishedAt + delay;
      await outbox.setMeta('backoff', { failures, nextAttemptAt } satisfies BackoffState);
      Object.assign(last, { kind: failure.kind, error: failure.message, nextAttemptAt });
      if (RETRYABLE.has(failure.kind) && delay <= MAX_TIMER_MS) {
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.trigger('retry');
        }, delay);
      }
    }
    await outbox.setMeta('lastSync', last);
    await this.deps.onReport?.(report);
    return report;
  }
}
