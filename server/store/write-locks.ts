/**
 * Making read-then-write transactions safe when several servers share one PostgreSQL.
 *
 * SQLite needs none of this: one process owns the file and Kysely runs its transactions one at a
 * time on its single connection. PostgreSQL runs them side by side in READ COMMITTED, so a batch
 * that reads "no record with this id" can be overtaken by another server inserting it. We take
 * transaction-scoped advisory locks (released at commit or rollback) on what the batch is about to
 * read, *before* reading it; whoever comes second waits, then reads the committed state.
 * See docs/decisions (PostgreSQL backend and several servers) for why not SERIALIZABLE.
 *
 * Lock names are hashed to 64 bits with PostgreSQL's hashtextextended; a collision only makes two
 * unrelated batches wait for each other. Locks of one call are taken in sorted order, so two calls
 * cannot deadlock; a later call in the same transaction can, and PostgreSQL then aborts one side
 * (40P01), which `retryOnConflict` retries.
 */
import { sql, type Kysely } from 'kysely';
import { isPostgres } from './postgres.ts';

/** Lock names for the sync path: one per record (workspace and id), one per (workspace, rater) whose rows are written. */
export const lockName = {
  record: (workspaceId: string, id: string) => `feedback:id:${workspaceId}\u001f${id}`,
  rater: (workspaceId: string, raterId: string) => `feedback:rater:${workspaceId}\u001f${raterId}`,
};

const RECORD_LOCK = 'feedback:id:';

/**
 * Transactions that restore a whole file (`groundtruth import`, all or nothing, issue 13). One
 * such transaction writes every record of the file, and a lock per record outgrows PostgreSQL's
 * lock table (max_locks_per_transaction × connections, 6,400 by default: "out of shared memory"
 * after a few thousand records). It takes the per-rater locks only, so every batch of those raters
 * waits for the restore to end. Another rater writing one of the file's ids meanwhile (an id
 * collision) meets the primary key instead: its insert waits for the restore, then fails with a
 * unique violation and retries (or the restore fails as a whole, and nothing is written).
 */
const bulkRestores = new WeakSet<object>();

/** Marks `trx` as a bulk restore: lockForWrite skips the per-record locks in it (see above). */
export function markBulkRestore(trx: Kysely<any>): void {
  bulkRestores.add(trx);
}

/**
 * Takes the named advisory locks for the rest of the transaction (no-op on SQLite). Names already
 * held by this transaction (listed in `held`) are skipped; the new ones are added to it.
 * Returns whether any new lock was taken.
 */
export async function lockForWrite(trx: Kysely<any>, names: Iterable<string>, held: Set<string> = new Set()): Promise<boolean> {
  if (!isPostgres(trx)) return false;
  const bulk = bulkRestores.has(trx);
  const wanted = [...new Set(names)].filter((n) => !held.has(n) && !(bulk && n.startsWith(RECORD_LOCK)));
  if (wanted.length === 0) return false;
  // Sorted by the lock key inside one statement: concurrent callers queue in the same order.
  await sql`select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(n, 0) as k from unnest(${wanted}::text[]) as n order by k
    ) as keys`.execute(trx);
  for (const n of wanted) held.add(n);
  return true;
}

/** PostgreSQL errors that mean "another transaction got in the way; run yours again". */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23505', // unique_violation: a concurrent insert of the same key, visible on the next attempt
]);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** Runs `attempt` (a whole transaction) again on a retryable conflict, with jittered backoff. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= tries || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** i));
    }
  }
}
