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
 *
 * PostgreSQL has a pool and runs concurrent transactions side by side (write-locks.ts orders the
 * ones that touch the same rows); there `groupCommit` is the plain transaction. Measured in
 * `npm run bench -- sync` (single POST at 32 in flight).
 */
import { sql, type Kysely, type Transaction } from 'kysely';

/** At most this many writes share a transaction: bounds how long the first of them waits. */
export const MAX_GROUP = 64;

interface Waiting<R> {
  work: (trx: Transaction<any>) => Promise<R>;
  resolve(value: R): void;
  reject(err: unknown): void;
}

interface Group {
  waiting: Waiting<any>[];
  running: boolean;
}

const groups = new WeakMap<Kysely<any>, Group>();
/** Groups committed and writes in them, for the benchmark and the tests. */
export const groupCommitStats = { groups: 0, writes: 0, largest: 0 };

/**
 * Runs `work` in a transaction shared with the other writes waiting for `db` (see above). `shared`
 * says whether `db` is SQLite's own single connection (sqlite-fast-path.ts knows); otherwise this
 * is `db.transaction().execute(work)`.
 */
export function groupCommit<R>(db: Kysely<any>, shared: boolean, work: (trx: Transaction<any>) => Promise<R>): Promise<R> {
  if (!shared) return db.transaction().execute(work);
  let group = groups.get(db);
  if (!group) groups.set(db, (group = { waiting: [], running: false }));
  const g = group;
  return new Promise<R>((resolve, reject) => {
    g.waiting.push({ work, resolve, reject });
    if (!g.running) {
      g.running = true;
      void drain(db, g);
    }
  });
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

async function runGroup(db: Kysely<any>, batch: Waiting<any>[]): Promise<void> {
  const outcomes: Outcome[] = [];
  try {
    await db.transaction().execute(async (trx) => {
      if (batch.length === 1) {
        // Alone: exactly the transaction it would have had (its error rolls it back).
        outcomes.push({ ok: true, value: await batch[0]!.work(trx) });
        return;
      }
      for (const w of batch) {
        await sql`savepoint group_write`.execute(trx);
        try {
          const value = await w.work(trx);
          await sql`release group_write`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sql`rollback to group_write`.execute(trx);
          await sql`release group_write`.execute(trx);
          outcomes.push({ ok: false, error });
        }
      }
    });
  } catch (error) {
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
