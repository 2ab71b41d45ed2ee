/**
 * Reads reused for at most a second, per process (issue 19: nothing per request that can be per
 * process): the token behind a bearer secret, a workspace's settings. How a change is seen:
 * - **by this process, on its next request:** every write of that kind here calls `changed()`,
 *   which drops every entry (a write inside a transaction calls it again after the commit, since a
 *   read during the transaction saw the old rows);
 * - **by other processes** (a second server on PostgreSQL, the CLI on the same SQLite file): an
 *   entry older than `ttlMs` on the server clock (settable in tests) is read again.
 * Entries are kept per database object, so two stores in one process never share one. Only what
 * was found is kept (an unknown token is read every time, so random tokens cannot fill it), and at
 * `max` entries it starts over.
 */
import { clockNow } from '../lib/clock.ts';

export const READ_CACHE_MS = 1000;

export interface ReadCache<V> {
  /** The value of `key` on `db`, from `load` unless read less than `ttlMs` ago and unchanged since. */
  get(db: object, key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Everything is read again. */
  changed(): void;
}

export function readCache<V>({ ttlMs = READ_CACHE_MS, max = 10_000 }: { ttlMs?: number; max?: number } = {}): ReadCache<V> {
  let generation = 0;
  const perDb = new WeakMap<object, Map<string, { value: V; at: number; generation: number }>>();
  return {
    async get(db, key, load) {
      let cache = perDb.get(db);
      if (!cache) perDb.set(db, (cache = new Map()));
      const now = clockNow().getTime();
      const hit = cache.get(key);
      if (hit && hit.generation === generation && now >= hit.at && now - hit.at < ttlMs) return hit.value;
      const seen = generation;
      const value = await load();
      if (value === undefined) cache.delete(key);
      // A write while this read ran makes what it read suspect: not kept.
      else if (seen === generation) {
        if (cache.size >= max) cache.clear();
        cache.set(key, { value, at: now, generation });
      }
      return value;
    },
    changed() {
      generation++;
    },
  };
}
