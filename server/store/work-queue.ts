/**
 * The one durable work queue (DESIGN.md, "Decisions"; migration 0190, ADR 0041): work done after
 * commit is written as a row in the transaction of the write that causes it and drained by a
 * background worker (server/jobs/indexer.ts). A job is (kind, workspace, ref) — the ref names what
 * to work on (a record id), so a job carries no copy of the text: the worker reads the live record
 * when it runs, and a record erased or purged meanwhile has nothing left to run. Kinds register a
 * handler with the worker; `embed` is the first.
 *
 * A change to something already queued bumps `seq` (one row, not one per change); the worker
 * deletes a job only if its `seq` is still the one it claimed, so the last change always runs.
 */
import { sql, SqliteAdapter, type ExpressionBuilder, type RawBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { chunks } from '../lib/chunks.ts';
import type { DB } from './schema.ts';
import { sqliteFastPath } from './sqlite-fast-path.ts';

export interface WorkQueueTable {
  kind: string;
  workspace_id: string;
  ref: string;
  payload: string | null;
  seq: number;
  attempts: number;
  enqueued_at: string;
  next_attempt_at: string;
  last_error: string | null;
}

type QueueDB = DB & { work_queue: WorkQueueTable };
export const withWorkQueue = (db: Kysely<DB> | Transaction<DB>) => (db as Kysely<DB>).withTables<{ work_queue: WorkQueueTable }>() as unknown as Kysely<QueueDB>;

export interface JobRef {
  kind: string;
  workspaceId: string;
  ref: string;
  payload?: string | null;
}

export interface ClaimedJob extends JobRef {
  seq: number;
  attempts: number;
  enqueuedAt: string;
}

const PAGE = 200;

/**
 * SQLite inside a transaction of a store opened by openStore: one prepared single-row statement per
 * job instead of a multi-row statement Kysely compiles anew each time (sqlite-fast-path.ts).
 */
function fastIn(db: Kysely<DB> | Transaction<DB>) {
  return db.isTransaction ? sqliteFastPath(db) : undefined;
}

/** Queues jobs inside the caller's transaction; a job already queued is bumped and due now. */
export async function enqueue(trx: Kysely<DB> | Transaction<DB>, jobs: JobRef[], now: Date = new Date()): Promise<void> {
  if (!jobs.length) return;
  const q = withWorkQueue(trx);
  const at = now.toISOString();
  const unique = new Map(jobs.map((j) => [`${j.kind}\u0000${j.workspaceId}\u0000${j.ref}`, j]));
  // In key order: two writers, or a writer and the worker, never lock queue rows in a circle.
  const ordered = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, j]) => j);
  const fast = fastIn(trx);
  if (fast) {
    const upsert = fast.prepare(
      'insert into work_queue (kind, workspace_id, ref, payload, seq, attempts, enqueued_at, next_attempt_at) values (?, ?, ?, ?, 1, 0, ?, ?) ' +
        'on conflict (kind, workspace_id, ref) do update set seq = work_queue.seq + 1, payload = excluded.payload, attempts = 0, ' +
        'next_attempt_at = excluded.next_attempt_at, last_error = null',
    );
    for (const j of ordered) upsert.run(j.kind, j.workspaceId, j.ref, j.payload ?? null, at, at);
    return;
  }
  for (const part of chunks(ordered, PAGE)) {
    await q
      .insertInto('work_queue')
      .values(
        part.map((j) => ({
          kind: j.kind,
          workspace_id: j.workspaceId,
          ref: j.ref,
          payload: j.payload ?? null,
          seq: 1,
          attempts: 0,
          enqueued_at: at,
          next_attempt_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['kind', 'workspace_id', 'ref']).doUpdateSet({
          seq: sql`work_queue.seq + 1`,
          payload: (eb) => eb.ref('excluded.payload'),
          attempts: 0,
          next_attempt_at: at,
          last_error: null,
        }),
      )
      .execute();
  }
}

/** Drops queued jobs (a record erased or deleted: nothing left to do, and nothing of it kept). */
export async function forgetJobs(trx: Kysely<DB> | Transaction<DB>, kind: string, workspaceId: string, refs: string[]): Promise<void> {
  const fast = fastIn(trx);
  if (fast) {
    const forget = fast.prepare('delete from work_queue where kind = ? and workspace_id = ? and ref = ?');
    for (const ref of refs) forget.run(kind, workspaceId, ref);
    return;
  }
  const q = withWorkQueue(trx);
  for (const part of chunks(refs, PAGE)) {
    await q.deleteFrom('work_queue').where('kind', '=', kind).where('workspace_id', '=', workspaceId).where('ref', 'in', part).execute();
  }
}

/**
 * The rows of `jobs` by key, and when `withSeq`, only at the version claimed. PostgreSQL gets the
 * keys as arrays (`in (select * from unnest(…))`): an OR of a few hundred key conjunctions was
 * planned as a scan that evaluated every one of them on every queued row, about 2 s to complete a
 * batch of 500 jobs once the queue held 10k (the lexical-lag bench's PostgreSQL lag grew without
 * bound). SQLite plans the OR as one primary-key lookup per term.
 */
function whereJobs(db: Kysely<DB> | Transaction<DB>, jobs: ClaimedJob[], withSeq: boolean) {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    const kinds = jobs.map((j) => j.kind);
    const workspaces = jobs.map((j) => j.workspaceId);
    const refs = jobs.map((j) => j.ref);
    const keys = withSeq
      ? sql<SqlBool>`(kind, workspace_id, ref, seq) in (select * from unnest(${kinds}::text[], ${workspaces}::text[], ${refs}::text[], ${jobs.map((j) => j.seq)}::integer[]))`
      : sql<SqlBool>`(kind, workspace_id, ref) in (select * from unnest(${kinds}::text[], ${workspaces}::text[], ${refs}::text[]))`;
    return () => keys;
  }
  return (eb: ExpressionBuilder<QueueDB, 'work_queue'>) =>
    eb.or(
      jobs.map((j) =>
        eb.and([
          eb('kind', '=', j.kind),
          eb('workspace_id', '=', j.workspaceId),
          eb('ref', '=', j.ref),
          ...(withSeq ? [eb('seq', '=', j.seq)] : []),
        ]),
      ),
    );
}

/**
 * The worker's statements take only rows nobody else holds (PostgreSQL `FOR UPDATE SKIP LOCKED` in a
 * subquery of the same statement): a writer's transaction that queued a job holds its row until it
 * commits, and an UPDATE or DELETE of several rows locks them in whatever order it scans them, which
 * deadlocked with writers under concurrent syncs (test/durability/multi-server.test.ts). A skipped
 * row stays queued and is taken by a later claim. SQLite has one writer at a time: plain statements.
 */
function lockedKeys(
  db: Kysely<DB> | Transaction<DB>,
  where: (eb: ExpressionBuilder<QueueDB, 'work_queue'>) => ReturnType<ExpressionBuilder<QueueDB, 'work_queue'>['and']> | RawBuilder<SqlBool>,
  options: { orderByDue?: boolean; limit?: number } = {},
) {
  let q = withWorkQueue(db).selectFrom('work_queue').select(['kind', 'workspace_id', 'ref']).where(where);
  if (options.orderByDue) q = q.orderBy('next_attempt_at');
  if (options.limit !== undefined) q = q.limit(options.limit);
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) q = q.forUpdate().skipLocked();
  return sql<SqlBool>`(kind, workspace_id, ref) in (${q})`;
}

const toJob = (row: WorkQueueTable): ClaimedJob => ({
  kind: row.kind, workspaceId: row.workspace_id, ref: row.ref, payload: row.payload, seq: row.seq, attempts: row.attempts, enqueuedAt: row.enqueued_at,
});

/**
 * Claims up to `limit` due jobs of a kind in one statement: each claimed row's `next_attempt_at`
 * moves to the lease's end, so another worker (another server on the same PostgreSQL) skips it
 * until the lease runs out. The UPDATE re-checks "still due", so of two workers racing for a row
 * one gets it (PostgreSQL re-evaluates the condition on the row it waited for).
 */
export async function claimJobs(db: Kysely<DB>, kind: string, limit: number, leaseMs: number, now: Date = new Date()): Promise<ClaimedJob[]> {
  const q = withWorkQueue(db);
  const at = now.toISOString();
  const lease = new Date(now.getTime() + leaseMs).toISOString();
  const due = (eb: ExpressionBuilder<QueueDB, 'work_queue'>) => eb.and([eb('kind', '=', kind), eb('next_attempt_at', '<=', at)]);
  const claimed = await q
    .updateTable('work_queue')
    .set({ next_attempt_at: lease })
    .where(due)
    .where(lockedKeys(db, due, { orderByDue: true, limit }))
    .returningAll()
    .execute();
  return claimed.map(toJob);
}

/**
 * SQLite, inside the transaction that will run and complete them: up to `limit` due jobs of a kind,
 * without a lease. SQLite has one writer at a time, so nobody else can take them before this
 * transaction commits or rolls back, and a claim (an UPDATE and a commit of its own) would only
 * cost. Undefined where that does not hold (PostgreSQL, or no transaction): claim with claimJobs.
 */
export function takeDueJobs(trx: Transaction<DB>, kind: string, limit: number, now: Date = new Date()): ClaimedJob[] | undefined {
  const fast = fastIn(trx);
  if (!fast) return undefined;
  const rows = fast
    .prepare('select * from work_queue where kind = ? and next_attempt_at <= ? order by next_attempt_at limit ?')
    .all(kind, now.toISOString(), limit) as WorkQueueTable[];
  return rows.map(toJob);
}

/** Done: deletes each job unless it changed after it was claimed (then it stays, due again). */
export async function completeJobs(db: Kysely<DB> | Transaction<DB>, jobs: ClaimedJob[]): Promise<void> {
  const fast = fastIn(db);
  if (fast) {
    const done = fast.prepare('delete from work_queue where kind = ? and workspace_id = ? and ref = ? and seq = ?');
    for (const j of jobs) done.run(j.kind, j.workspaceId, j.ref, j.seq);
    return;
  }
  const q = withWorkQueue(db);
  for (const part of chunks(jobs, PAGE)) await q.deleteFrom('work_queue').where(whereJobs(db, part, true)).where(lockedKeys(db, whereJobs(db, part, true))).execute();
}

/** Failed: tries again after `delayMs` (a job changed meanwhile is due now anyway). */
export async function retryJobs(db: Kysely<DB>, jobs: ClaimedJob[], delayMs: number, error: string, now: Date = new Date()): Promise<void> {
  const q = withWorkQueue(db);
  const at = new Date(now.getTime() + delayMs).toISOString();
  for (const part of chunks(jobs, PAGE)) {
    await q
      .updateTable('work_queue')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: at, last_error: error.slice(0, 500) }))
      .where(whereJobs(db, part, true))
      .where(lockedKeys(db, whereJobs(db, part, true)))
      .execute();
  }
}

export interface QueueLag {
  pending: number;
  /** Age of the oldest unserved change, in seconds (0 when nothing is pending). */
  oldestSeconds: number;
}

/** The queue's lag, for /readyz and /metrics. */
export async function queueLag(db: Kysely<DB>, now: Date = new Date()): Promise<QueueLag> {
  const row = await withWorkQueue(db)
    .selectFrom('work_queue')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('enqueued_at').as('oldest')])
    .executeTakeFirst();
  const pending = Number(row?.n ?? 0);
  const oldest = row?.oldest ? Date.parse(String(row.oldest)) : NaN;
  return { pending, oldestSeconds: pending && Number.isFinite(oldest) ? Math.max(0, (now.getTime() - oldest) / 1000) : 0 };
}
