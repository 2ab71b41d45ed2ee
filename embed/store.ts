/**
 * The embed's outbox storage: plain IndexedDB in the host page's origin, with the two tables of the
 * extension's Dexie OutboxDB (extension/outbox/db.ts): `ratings` keyed by row key with an index on
 * [state, updatedAt] (the queue order), and `meta`. Dexie alone is about 31 KB gzip, three quarters
 * of the embed's whole budget; what the outbox needs of it is this page of code
 * (docs/decisions/0048-embeddable-widget.md).
 *
 * Every call runs in one transaction of its own; `tx` gives a read-modify-write several requests in
 * one transaction (no await of anything but its requests inside, or the transaction commits early).
 */
import type { MetaRow, OutboxRow } from '../extension/outbox/rows.ts';

const VERSION = 1;
const RATINGS = 'ratings';
const META = 'meta';
const QUEUE_INDEX = 'state_updatedAt';

/** One IDBRequest as a promise. */
export function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export interface Tables {
  ratings: IDBObjectStore;
  meta: IDBObjectStore;
}

export class EmbedStore {
  private opening?: Promise<IDBDatabase>;

  private readonly factory: IDBFactory;
  private readonly keyRange: typeof IDBKeyRange;

  /** `options`: another IndexedDB (fake-indexeddb in unit tests), as Dexie takes it. */
  constructor(
    readonly name: string,
    options: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange } = {},
  ) {
    // Read from globalThis: a page without IndexedDB (some private modes) gets a failed save, not a broken element.
    this.factory = options.indexedDB ?? globalThis.indexedDB;
    this.keyRange = options.IDBKeyRange ?? globalThis.IDBKeyRange;
  }

  private stateRange(state: OutboxRow['state']): IDBKeyRange {
    return this.keyRange.bound([state, ''], [state, '\uffff']);
  }

  private open(): Promise<IDBDatabase> {
    this.opening ??= new Promise((resolve, reject) => {
      if (!this.factory) throw new Error('this browser gives the page no IndexedDB');
      const req = this.factory.open(this.name, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        const ratings = db.createObjectStore(RATINGS, { keyPath: 'key' });
        ratings.createIndex(QUEUE_INDEX, ['state', 'updatedAt']);
        db.createObjectStore(META, { keyPath: 'key' });
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading (a newer embed): let it, and open again next time.
        db.onversionchange = () => {
          db.close();
          this.opening = undefined;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`IndexedDB ${this.name} is blocked by another tab`));
    });
    return this.opening;
  }

  /** Runs `fn` in one transaction; resolves with its value once the transaction has committed. */
  async tx<T>(mode: IDBTransactionMode, fn: (t: Tables) => Promise<T>): Promise<T> {
    const db = await this.open();
    const t = db.transaction([RATINGS, META], mode);
    const committed = new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onabort = t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
    let value: T;
    try {
      value = await fn({ ratings: t.objectStore(RATINGS), meta: t.objectStore(META) });
    } catch (err) {
      try {
        t.abort();
      } catch {
        // already finished
      }
      committed.catch(() => undefined);
      throw err;
    }
    await committed;
    return value;
  }

  get(t: Tables, key: string): Promise<OutboxRow | undefined> {
    return done(t.ratings.get(key) as IDBRequest<OutboxRow | undefined>);
  }

  /**
   * The rows of `keys`, in order. A page's widgets ask for hundreds of keys of which few or none
   * are rated: when the table holds no more rows than that, one getAll is cheaper than a get per
   * key (300 gets took ~40 ms in Chromium, test/bench/embed.ts).
   */
  async bulkGet(t: Tables, keys: readonly string[]): Promise<(OutboxRow | undefined)[]> {
    if (keys.length > 8) {
      const count = await done(t.ratings.count());
      if (count <= keys.length) {
        const all = count === 0 ? [] : ((await done(t.ratings.getAll())) as OutboxRow[]);
        const byKey = new Map(all.map((r) => [r.key, r]));
        return keys.map((k) => byKey.get(k));
      }
    }
    return Promise.all(keys.map((k) => this.get(t, k)));
  }

  async bulkPut(t: Tables, rows: readonly OutboxRow[]): Promise<void> {
    await Promise.all(rows.map((r) => done(t.ratings.put(r))));
  }

  async bulkDelete(t: Tables, keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => done(t.ratings.delete(k))));
  }

  /** Rows in one state, oldest updatedAt first, at most `limit`. */
  byState(t: Tables, state: OutboxRow['state'], limit?: number): Promise<OutboxRow[]> {
    const range = this.stateRange(state);
    return done(t.ratings.index(QUEUE_INDEX).getAll(range, limit) as IDBRequest<OutboxRow[]>);
  }

  countState(t: Tables, state: OutboxRow['state']): Promise<number> {
    const range = this.stateRange(state);
    return done(t.ratings.index(QUEUE_INDEX).count(range));
  }

  /** Keys of the oldest rows in one state (for pruning). */
  oldestKeys(t: Tables, state: OutboxRow['state'], limit: number): Promise<string[]> {
    const range = this.stateRange(state);
    return done(t.ratings.index(QUEUE_INDEX).getAllKeys(range, limit) as IDBRequest<string[]>);
  }

  async getMeta(t: Tables, key: string): Promise<unknown> {
    return ((await done(t.meta.get(key))) as MetaRow | undefined)?.value;
  }

  async setMeta(t: Tables, key: string, value: unknown): Promise<void> {
    await done(t.meta.put({ key, value } satisfies MetaRow));
  }

  /** Closes the connection (tests, a page leaving). */
  async close(): Promise<void> {
    if (this.opening) (await this.opening).close();
    this.opening = undefined;
  }
}
