/**
 * Group commit for SQLite's one connection (issue 19, item 1). A write that arrives while a
 * transaction is running waits for it (the connection is one), and all the writes that waited
 * run together in the next transaction, each inside its own savepoint: one BEGIN and one COMMIT
 * (the pages they share written to the WAL once) instead of one each.
 *
 * - Each caller is answered only after the transaction holding its work committed, with its own
 *   result; nothing is acknowledged before COMMIT returns (the crash campaign checks it).
 * - A write that throws is rolled back to its savepoint and gets its own error; the others in the
 *   group still commit. A write alone in its group runs as before (its error rolls it back).
 * - A failed COMMIT fails every write of the group with that error; none of them was applied.
 * - A group starts after one turn of the event loop (no timer): the writes whose requests are
 *   already being read join it, and a lone write waits for nothing else.
 * - A planned write (`groupCommitPlanned`: applyMutations) is read and decided first and written
 *   later, together with the other planned writes of its group: one flush writes all their rows and
 *   runs the projections (rollups, queue rows) once for the lot, as one sync batch would. A write
 *   whose plan touches what a pending one touches (the same record, the same rater's target) is
 *   decided again after the pending ones were written, so it reads what they wrote. If a merged
 *   flush fails, the transaction is rolled back and each write runs again alone, so a write that
 *   cannot be stored fails by itself.
 *
 * PostgreSQL has a pool and runs concurrent transactions side by side (write-locks.ts orders the
 * ones that touch the same rows); there `groupCommit` is the plain transaction. Measured in
 * `npm run bench -- sync` (single POST at 32 in flight).
 */
import { sql, type Kysely, type Transaction } from 'kysely';

/** At most this many writes share a transaction: bounds how long the first of them waits. */
export const MAX_GROUP = 64;

/**
 * A write in two steps, so that the writes of a group are stored by one flush. `prepare` reads and
 * decides and writes nothing (it may run again: after the pending writes it meets were flushed, or
 * alone when a merged flush failed). `names` are what the plan read or will write (record ids,
 * rater targets); `flush` writes several plans at once and is the same function for every write
 * it is given.
 */
export interface PlannedWrite<P> {
  prepare(trx: Transaction<any>): Promise<P>;
  names(plan: P): Iterable<string>;
  flush(trx: Transaction<any>, plans: P[]): Promise<void>;
}

type Entry = { work: (trx: Transaction<any>) => Promise<unknown> } | { planned: PlannedWrite<unknown> };

interface Waiting {
  entry: Entry;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface Group {
  waiting: Waiting[];
  running: boolean;
}

const groups = new WeakMap<Kysely<any>, Group>();
/** Groups committed, writes in them and flushes of planned writes, for the benchmark and the tests. */
export const groupCommitStats = { groups: 0, writes: 0, largest: 0, flushes: 0, replanned: 0, fallbacks: 0 };

/**
 * Runs `work` in a transaction shared with the other writes waiting for `db` (see above), inside its
 * own savepoint. `shared` says whether `db` is SQLite's own single connection (sqlite-fast-path.ts
 * knows); otherwise this is `db.transaction().execute(work)`.
 */
export function groupCommit<R>(db: Kysely<any>, shared: boolean, work: (trx: Transaction<any>) => Promise<R>): Promise<R> {
  return join(db, shared, { work }) as Promise<R>;
}

/** Runs a planned write (see PlannedWrite) in the shared transaction; resolves with its plan after COMMIT. */
export function groupCommitPlanned<P>(db: Kysely<any>, shared: boolean, write: PlannedWrite<P>): Promise<P> {
  return join(db, shared, { planned: write as PlannedWrite<unknown> }) as Promise<P>;
}

function join(db: Kysely<any>, shared: boolean, entry: Entry): Promise<unknown> {
  if (!shared) return db.transaction().execute((trx) => runAlone(trx, entry));
  let group = groups.get(db);
  if (!group) groups.set(db, (group = { waiting: [], running: false }));
  const g = group;
  return new Promise((resolve, reject) => {
    g.waiting.push({ entry, resolve, reject });
    if (!g.running) {
      g.running = true;
      void drain(db, g);
    }
  });
}

async function runAlone(trx: Transaction<any>, entry: Entry): Promise<unknown> {
  if ('work' in entry) return entry.work(trx);
  const plan = await entry.planned.prepare(trx);
  await entry.planned.flush(trx, [plan]);
  groupCommitStats.flushes++;
  return plan;
}

async function drain(db: Kysely<any>, g: Group): Promise<void> {
  try {
    while (g.waiting.length > 0) {
      // One turn of the event loop first: requests already past their reads (which wait for the
      // same connection while a transaction holds it) get here and join this group.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = g.waiting.splice(0, MAX_GROUP);
      await runGroup(db, batch);
    }
  } finally {
    g.running = false;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A merged flush failed: nobody's write can be told apart, so each runs again alone. */
class MergedFlushFailed extends Error {}

async function runGroup(db: Kysely<any>, batch: Waiting[]): Promise<void> {
  const outcomes: Outcome[] = [];
  try {
    await db.transaction().execute(async (trx) => {
      if (batch.length === 1) {
        // Alone: exactly the transaction it would have had (its error rolls it back).
        outcomes[0] = { ok: true, value: await runAlone(trx, batch[0]!.entry) };
        return;
      }
      let pending: { plan: unknown; flush: PlannedWrite<unknown>['flush'] }[] = [];
      const pendingNames = new Set<string>();
      const flushPending = async () => {
        if (!pending.length) return;
        try {
          await pending[0]!.flush(trx, pending.map((p) => p.plan));
        } catch (error) {
          throw new MergedFlushFailed(String(error), { cause: error });
        }
        groupCommitStats.flushes++;
        pending = [];
        pendingNames.clear();
      };
      for (const [i, { entry }] of batch.entries()) {
        if ('work' in entry) {
          await flushPending();
          await sql`savepoint group_write`.execute(trx);
          try {
            const value = await entry.work(trx);
            await sql`release group_write`.execute(trx);
            outcomes[i] = { ok: true, value };
          } catch (error) {
            await sql`rollback to group_write`.execute(trx);
            await sql`release group_write`.execute(trx);
            outcomes[i] = { ok: false, error };
          }
          continue;
        }
        const w = entry.planned;
        try {
          if (pending.length && pending[0]!.flush !== w.flush) await flushPending();
          let plan = await w.prepare(trx);
          if (pending.length && [...w.names(plan)].some((n) => pendingNames.has(n))) {
            // It read or would write what a pending write writes: decide again on the written rows.
            await flushPending();
            groupCommitStats.replanned++;
            plan = await w.prepare(trx);
          }
          pending.push({ plan, flush: w.flush });
          for (const n of w.names(plan)) pendingNames.add(n);
          outcomes[i] = { ok: true, value: plan };
        } catch (error) {
          if (error instanceof MergedFlushFailed) throw error;
          outcomes[i] = { ok: false, error }; // prepare wrote nothing: nothing to roll back
        }
      }
      await flushPending();
    });
  } catch (error) {
    if (error instanceof MergedFlushFailed) {
      // Rolled back whole: every write runs again in its own transaction and gets its own answer.
      groupCommitStats.fallbacks++;
      for (const w of batch) await runGroup(db, [w]);
      return;
    }
    // The transaction did not commit: nobody in it was applied.
    for (const [i, w] of batch.entries()) {
      const own = outcomes[i];
      w.reject(own && !own.ok ? own.error : error);
    }
    return;
  }
  groupCommitStats.groups++;
  groupCommitStats.writes += batch.length;
  groupCommitStats.largest = Math.max(groupCommitStats.largest, batch.length);
  for (const [i, w] of batch.entries()) {
    const o = outcomes[i]!;
    if (o.ok) w.resolve(o.value);
    else w.reject(o.error);
  }
}
