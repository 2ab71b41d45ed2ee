/**
 * Request counters for the rate limits: a hono-rate-limiter `Store` with fixed windows (aligned
 * to the clock, so every server agrees where a window starts).
 *
 * Local by default: counting never touches the database. Shared (on PostgreSQL, where several
 * servers can serve one database): once a second each server adds what it counted since its last
 * flush to `rate_limit_counters` (one upsert per key, that returns the total of every server) and
 * from then on counts on top of that total. So a request never waits for the database, and a
 * server's view lags the others' by at most about a second of their traffic, instead of N servers
 * allowing N times the limit. While a window has traffic, each server keeps re-reading the totals
 * of its keys once a second; idle, it sets no timer at all.
 */
import type { Kysely } from 'kysely';
import type { ClientRateLimitInfo, Store as LimiterStore } from 'hono-rate-limiter';
import type { DB } from '../../store/schema.ts';
import type { Store } from '../../store/open.ts';

export interface RateLimitCountersTable {
  key: string;
  window_start: string;
  count: number;
}
type CounterTables = { rate_limit_counters: RateLimitCountersTable };

export interface RateCountersOptions {
  windowMs?: number;
  /** The database to share counts through (with `shared`). */
  db?: Kysely<DB>;
  /** Add local counts to the shared table and read the totals. */
  shared?: boolean;
  /** How often a server adds its counts (default 1000 ms); `false`: only when flush() is called (tests). */
  flushMs?: number | false;
  now?: () => number;
  onError?: (err: unknown) => void;
}

interface Entry {
  /** Hits counted here in this window. */
  mine: number;
  /** Of those, how many have been added to the table. */
  sent: number;
  /** Every server's total as the table last answered (it includes `sent` as of then). */
  total: number;
}

const CHUNK = 500;

export class RateCounters implements LimiterStore {
  readonly shared: boolean;
  readonly localKeys: boolean;
  private readonly windowMs: number;
  private readonly db?: Kysely<DB & CounterTables>;
  private readonly flushMs: number | false;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;
  private windowStart = -1;
  private entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private sweptWindow = -1;
  private closed = false;

  constructor(options: RateCountersOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.shared = !!options.shared && !!options.db;
    this.localKeys = !this.shared;
    this.db = options.db?.withTables<CounterTables>();
    this.flushMs = options.flushMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /** The library passes its options; the window is ours (both limits use the same one). */
  init(): void {}

  private roll(): number {
    const start = Math.floor(this.now() / this.windowMs) * this.windowMs;
    if (start !== this.windowStart) {
      // Counts of a window that ended no longer matter, flushed or not.
      this.windowStart = start;
      this.entries = new Map();
    }
    return start;
  }

  private info(e: Entry | undefined): ClientRateLimitInfo {
    return { totalHits: e ? e.total + e.mine - e.sent : 0, resetTime: new Date(this.windowStart + this.windowMs) };
  }

  get(key: string): ClientRateLimitInfo | undefined {
    this.roll();
    const e = this.entries.get(key);
    return e && this.info(e);
  }

  increment(key: string): ClientRateLimitInfo {
    this.roll();
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { mine: 0, sent: 0, total: 0 }));
    e.mine++;
    this.schedule();
    return this.info(e);
  }

  decrement(key: string): void {
    this.roll();
    const e = this.entries.get(key);
    if (e && e.mine > 0) e.mine--;
  }

  resetKey(key: string): void {
    this.entries.delete(key);
  }

  resetAll(): void {
    this.entries.clear();
  }

  shutdown(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether a flush is waiting on its timer (none while idle). */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  /** Resolves when the flush in progress (if any) has finished. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  private schedule(): void {
    if (!this.shared || this.flushMs === false || this.timer || this.flushing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush()
        .catch(this.onError)
        .finally(() => {
          this.flushing = undefined;
          // Keep the totals fresh while this window has traffic; stop when idle.
          this.roll();
          if (this.entries.size) this.schedule();
        });
    }, this.flushMs);
    this.timer.unref?.();
  }

  /** Adds the counts not yet added to the table and reads every key's total. */
  async flush(): Promise<void> {
    if (!this.shared || !this.db) return;
    const start = this.roll();
    const window = new Date(start).toISOString();
    for (const [key, e] of this.entries) {
      // Counted and taken back (an authenticated request on the per-address limit): nothing to share.
      if (e.mine === 0 && e.sent === 0 && e.total === 0) this.entries.delete(key);
    }
    const pending = [...this.entries].map(([key, e]) => ({ key, delta: e.mine - e.sent })).sort((a, b) => (a.key < b.key ? -1 : 1));
    if (!pending.length) return;
    const totals = new Map<string, number>();
    const changed = pending.filter((p) => p.delta !== 0);
    const unchanged = pending.filter((p) => p.delta === 0).map((p) => p.key);
    // Sorted keys: two servers upserting the same keys take their row locks in the same order.
    for (let i = 0; i < changed.length; i += CHUNK) {
      const rows = await this.db
        .insertInto('rate_limit_counters')
        .values(changed.slice(i, i + CHUNK).map((p) => ({ key: p.key, window_start: window, count: p.delta })))
        .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limit_counters.count', '+', eb.ref('excluded.count')) })))
        .returning(['key', 'count'])
        .execute();
      for (const r of rows) totals.set(r.key, Number(r.count));
    }
    for (let i = 0; i < unchanged.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('rate_limit_counters')
        .select(['key', 'count'])
        .where('window_start', '=', window)
        .where('key', 'in', unchanged.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) totals.set(r.key, Number(r.count));
    }
    if (this.windowStart === start) {
      for (const p of pending) {
        const e = this.entries.get(p.key);
        if (!e) continue;
        e.sent += p.delta;
        e.total = totals.get(p.key) ?? e.total;
      }
    }
    if (this.sweptWindow !== start) {
      // Once per window: windows before the previous one are of no use to anyone.
      this.sweptWindow = start;
      await this.db.deleteFrom('rate_limit_counters').where('window_start', '<', new Date(start - this.windowMs).toISOString()).execute();
    }
  }
}

/** Shared through the database on PostgreSQL (several servers); local on SQLite (one server per file). */
export function defaultRateCounters(store: Store, options: Omit<RateCountersOptions, 'db' | 'shared'> = {}): RateCounters {
  return new RateCounters({ ...options, db: store.db, shared: store.dialect === 'postgres' });
}
