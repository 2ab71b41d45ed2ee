/**
 * The lexical search index, off the write path (issue 19, item 3). In the transaction of a
 * feedback change the projection only queues a `lexical` job on the one work queue
 * (store/work-queue.ts), shared with `embed`; the worker (jobs/indexer.ts) indexes the live records
 * in batches. Two things stay in the transaction:
 * - a record deleted, erased or purged leaves the index at once (its text is gone when the write
 *   commits, as before);
 * - nothing else needs to: a search first indexes what is still queued (`catchUpLexical`), so a
 *   search after a write finds it on this server — read-your-writes, with the work done once per
 *   batch rather than once per request. Another server on the same PostgreSQL sees it after its
 *   worker's next poll, or at its own next search.
 *
 * A job names a record (workspace, id); the handler reads the record as it is when it runs, so a
 * burst of re-votes is indexed once, with the last version.
 */
import type { Kysely, Transaction } from 'kysely';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import { rowsByIds } from '../store/feedback-read.ts';
import type { DB } from '../store/schema.ts';
import { sqliteFastPath } from '../store/sqlite-fast-path.ts';
import { claimJobs, completeJobs, enqueue, forgetJobs, retryJobs, takeDueJobs, type ClaimedJob, type JobRef } from '../store/work-queue.ts';
import { searchBackendFor } from './index.ts';

export const LEXICAL_JOB = 'lexical';
/** Jobs per claim (one transaction of index writes). */
export const LEXICAL_BATCH = 500;
/** How long a claim is held before another worker may take the job again. */
const LEASE_MS = 60_000;
/** A batch that failed (a broken index, a full disk) is tried again after this. */
const RETRY_MS = 5_000;

/** The projection (store/projections.ts): deletions leave the index now, the rest is queued. */
export async function lexicalQueue(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  const gone: FeedbackChange[] = [];
  const jobs: JobRef[] = [];
  const forget = new Map<string, string[]>();
  for (const change of changes) {
    const { after } = change;
    if (after.deleted || !after.record) {
      gone.push(change);
      forget.set(after.workspace_id, [...(forget.get(after.workspace_id) ?? []), after.id]);
    } else {
      jobs.push({ kind: LEXICAL_JOB, workspaceId: after.workspace_id, ref: after.id });
    }
  }
  if (gone.length) await searchBackendFor(trx).indexFeedback(trx, gone);
  for (const [workspaceId, ids] of forget) await forgetJobs(trx, LEXICAL_JOB, workspaceId, ids);
  await enqueue(trx, jobs);
}

/** The records the jobs name, as they are now. */
async function recordsOf(trx: Transaction<DB>, jobs: ClaimedJob[]): Promise<FeedbackChange[]> {
  const byWorkspace = new Map<string, string[]>();
  for (const j of jobs) {
    const ids = byWorkspace.get(j.workspaceId);
    if (ids) ids.push(j.ref);
    else byWorkspace.set(j.workspaceId, [j.ref]);
  }
  const changes: FeedbackChange[] = [];
  // A row gone altogether (purged) left the index by trigger; a tombstone is dropped by indexFeedback.
  for (const [workspaceId, ids] of byWorkspace) {
    for (const row of await rowsByIds(trx, workspaceId, ids)) changes.push({ before: null, after: row });
  }
  return changes;
}

/** Inside `trx`: indexes the records of the jobs as they are now and completes the jobs. */
async function indexJobs(trx: Transaction<DB>, jobs: ClaimedJob[]): Promise<void> {
  if (!jobs.length) return;
  await searchBackendFor(trx).indexFeedback(trx, await recordsOf(trx, jobs));
  await completeJobs(trx, jobs);
}

/** Indexes the records of claimed jobs as they are now, and completes the jobs, in one transaction. */
export async function runLexicalJobs(db: Kysely<DB>, jobs: ClaimedJob[]): Promise<void> {
  if (!jobs.length) return;
  await db.transaction().execute((trx) => indexJobs(trx, jobs));
}

/** Runs in this process: what a search waits for before it reads the index. */
const running = new WeakMap<Kysely<DB>, Set<Promise<unknown>>>();

function track<T>(db: Kysely<DB>, p: Promise<T>): Promise<T> {
  let set = running.get(db);
  if (!set) running.set(db, (set = new Set()));
  const s = set;
  s.add(p);
  void p.finally(() => s.delete(p)).catch(() => {});
  return p;
}

/**
 * One claim and its run, tracked from the claim on (the worker's handler, jobs/indexer.ts, and the
 * search's catch-up): resolves with the jobs claimed. A failed run puts its jobs back, due after
 * RETRY_MS, and rejects.
 */
export async function runLexicalBatch(db: Kysely<DB>, batch = LEXICAL_BATCH): Promise<ClaimedJob[]> {
  return track(db, (async () => {
    if (sqliteFastPath(db)) return runLexicalTaken(db, batch);
    const jobs = await claimJobs(db, LEXICAL_JOB, batch, LEASE_MS);
    try {
      await runLexicalJobs(db, jobs);
    } catch (err) {
      await retryJobs(db, jobs, RETRY_MS, (err as Error).message).catch(() => {});
      throw err;
    }
    return jobs;
  })());
}

/**
 * SQLite: the due jobs are taken, indexed and completed in one transaction, without a lease
 * (takeDueJobs says why). A failed batch is rolled back whole and its jobs put back as a failed
 * claim's are.
 */
async function runLexicalTaken(db: Kysely<DB>, batch: number): Promise<ClaimedJob[]> {
  let jobs: ClaimedJob[] = [];
  try {
    await db.transaction().execute(async (trx) => {
      jobs = takeDueJobs(trx, LEXICAL_JOB, batch)!;
      await indexJobs(trx, jobs);
    });
  } catch (err) {
    await retryJobs(db, jobs, RETRY_MS, (err as Error).message).catch(() => {});
    throw err;
  }
  return jobs;
}

/**
 * Before a search reads the index: waits for this process's runs in progress, then indexes
 * everything still due, so what this server committed before the search is found by it.
 */
export async function catchUpLexical(db: Kysely<DB>): Promise<void> {
  const inFlight = running.get(db);
  if (inFlight?.size) await Promise.allSettled([...inFlight]);
  while ((await runLexicalBatch(db)).length >= LEXICAL_BATCH);
}
