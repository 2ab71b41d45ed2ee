/**
 * Erasure of one rater and retention purges: the two ways rows leave the store for good.
 *
 * Both hard-delete feedback the same way: first the registered projections (rollups, search
 * index, …) are run with each live row turned into a tombstone, exactly as if the rater had
 * deleted it, so every count moves; then the rows, their event-log entries and the webhook
 * deliveries that carried them are deleted, in the same transaction. See
 * docs/decisions (retention and erasure) for what is kept and why.
 */
import { withConnectTables } from './connect-tables.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import { runChangeListeners, type FeedbackChange } from './feedback-changes.ts';
import { withGovernance } from './governance-tables.ts';
import { withItemTables } from './items-tables.ts';
import { withQueueTables } from './queue-tables.ts';
import { withLinkTables } from './link-tables.ts';
import { linkFeedbackRows } from './feedback-links.ts';
import { withHealth } from '../health/tables.ts';
import { isPostgres } from './postgres.ts';
import type { DB, FeedbackTable } from './schema.ts';
import { lockForWrite, lockName, retryOnConflict } from './write-locks.ts';
import { chunks } from '../lib/chunks.ts';
import { tokensChanged } from './tokens.ts';

/** What stands in for an erased rater where a row about someone else must stay (an admin's delete of another's record). */
export const ERASED_ACTOR = 'erased';

const PAGE = 500;

function n(res: { numDeletedRows?: bigint; numUpdatedRows?: bigint } | { numDeletedRows?: bigint; numUpdatedRows?: bigint }[]): number {
  const list = Array.isArray(res) ? res : [res];
  return list.reduce((sum, r) => sum + Number(r.numDeletedRows ?? r.numUpdatedRows ?? 0n), 0);
}

function byWorkspace<T extends { workspace_id: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.workspace_id, [...(out.get(r.workspace_id) ?? []), r]);
  return out;
}

/**
 * Hard-deletes feedback rows inside the caller's transaction: projections first (live rows as
 * tombstones), then the rows, their events and their webhook deliveries. Returns counts.
 */
export async function hardDeleteFeedback(trx: Transaction<DB>, rows: FeedbackTable[]): Promise<{ feedback: number; events: number; deliveries: number }> {
  if (!rows.length) return { feedback: 0, events: 0, deliveries: 0 };
  const changes: FeedbackChange[] = rows
    .filter((r) => r.deleted === 0)
    .map((before) => ({ before, after: { ...before, deleted: 1, record: null } }));
  await runChangeListeners(trx, changes);
  const gov = withGovernance(trx);
  let feedback = 0;
  let events = 0;
  let deliveries = 0;
  // Ids are unique per workspace (migration 0100): every statement names the workspace too.
  for (const [workspaceId, ofWorkspace] of byWorkspace(rows)) {
    for (const part of chunks(ofWorkspace.map((r) => r.id), PAGE)) {
      events += n(await trx.deleteFrom('feedback_events').where('workspace_id', '=', workspaceId).where('feedback_id', 'in', part).execute());
      const sent = await gov.selectFrom('webhook_deliveries').select('id').where('workspace_id', '=', workspaceId).where('feedback_id', 'in', part).execute();
      for (const ids of chunks(sent.map((d) => d.id), PAGE)) {
        await gov.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
        deliveries += n(await gov.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute());
      }
      feedback += n(await trx.deleteFrom('feedback').where('workspace_id', '=', workspaceId).where('id', 'in', part).execute());
    }
  }
  return { feedback, events, deliveries };
}

/**
 * SQLite keeps deleted bytes in free pages, the WAL and FTS5 segments until they are reused.
 * For erasure "gone" has to mean gone from the file: zero what is deleted (secure_delete, which
 * openSqlite turns on for every write path, so text freed by earlier edits is zeroed too; set here
 * again for a handle opened otherwise), merge the search index, and checkpoint the WAL.
 * https://www.sqlite.org/pragma.html#pragma_secure_delete
 */
async function withSecureDelete<T>(db: Kysely<DB>, fn: () => Promise<T>): Promise<T> {
  if (isPostgres(db)) return fn();
  await sql`PRAGMA secure_delete = ON`.execute(db);
  const result = await fn();
  const fts = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name = 'search_fts'`.execute(db);
  if (fts.rows.length) await sql`INSERT INTO search_fts(search_fts) VALUES ('optimize')`.execute(db);
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  return result;
}

export interface ErasureReport {
  workspaceId: string;
  raterId: string;
  feedback: number;
  events: number;
  /** Events about other people's records where this rater was the actor: kept, actor replaced. */
  eventsPseudonymized: number;
  deliveries: number;
  tokens: number;
  items: number;
  traceEvents: number;
  notes: number;
  rollupRows: number;
}

/** Whether a table exists (tables of later migrations, which an older store may not have yet). */
export async function hasTable(db: Kysely<any>, name: string): Promise<boolean> {
  return (await db.introspection.getTables()).some((t) => t.name === name);
}

/** Whether the workspace holds anything of this rater (tokens or records). */
export async function raterExists(db: Kysely<DB>, workspaceId: string, raterId: string): Promise<boolean> {
  const token = await db.selectFrom('tokens').select('id').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).executeTakeFirst();
  if (token) return true;
  const row = await db.selectFrom('feedback').select('id').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).executeTakeFirst();
  if (row) return true;
  // A user id a rating link was made for (issue 17), before they rated through it.
  if (!raterId.startsWith('user:')) return false;
  const link = await withLinkTables(db).selectFrom('feedback_links').select('id').where('workspace_id', '=', workspaceId).where('user_id', '=', raterId.slice('user:'.length)).executeTakeFirst();
  return !!link;
}

/** The workspaces in which a rater id has tokens or records (for the CLI, which may not know). */
export async function workspacesOfRater(db: Kysely<DB>, raterId: string): Promise<string[]> {
  const a = await db.selectFrom('tokens').select('workspace_id').distinct().where('rater_id', '=', raterId).execute();
  const b = await db.selectFrom('feedback').select('workspace_id').distinct().where('rater_id', '=', raterId).execute();
  const c = raterId.startsWith('user:')
    ? await withLinkTables(db).selectFrom('feedback_links').select('workspace_id').distinct().where('user_id', '=', raterId.slice('user:'.length)).execute()
    : [];
  return [...new Set([...a, ...b, ...c].map((r) => r.workspace_id))].sort();
}

/**
 * Erases one rater of one workspace: their feedback (with every event and delivery about it),
 * their tokens (and so their dashboard sessions), the items and traces their tokens sent, their
 * notes, and their rows in the rollups. Events where they acted on someone else's record stay,
 * with the actor replaced by "erased". One transaction: all of it or nothing.
 */
/**
 * Review queues (migration 0200) stop naming the rater: their claims go (their reviews went with
 * their feedback, and the queue projection took the counts back), they leave every assignee list,
 * and the queues and adjudications they made say "erased" as the event log does.
 */
async function forgetInQueues(trx: Transaction<DB>, workspaceId: string, raterId: string): Promise<void> {
  const q = withQueueTables(trx);
  await q.deleteFrom('queue_claims').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute();
  const named = await q.selectFrom('queues').select(['id', 'assignees']).where('workspace_id', '=', workspaceId).where('assignees', 'is not', null).execute();
  for (const row of named) {
    const list = JSON.parse(row.assignees!) as string[];
    if (list.includes(raterId)) {
      await q.updateTable('queues').set({ assignees: JSON.stringify(list.filter((r) => r !== raterId)) }).where('workspace_id', '=', workspaceId).where('id', '=', row.id).execute();
    }
  }
  await q.updateTable('queues').set({ created_by: ERASED_ACTOR }).where('workspace_id', '=', workspaceId).where('created_by', '=', raterId).execute();
  await q.updateTable('queue_adjudications').set({ adjudicated_by: ERASED_ACTOR }).where('workspace_id', '=', workspaceId).where('adjudicated_by', '=', raterId).execute();
}

export async function eraseRater(db: Kysely<DB>, workspaceId: string, raterId: string): Promise<ErasureReport> {
  return withSecureDelete(db, () =>
    retryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        // The same lock the sync path takes for this rater: no batch of theirs commits halfway through.
        await lockForWrite(trx, [lockName.rater(workspaceId, raterId)]);
        const report: ErasureReport = {
          workspaceId, raterId, feedback: 0, events: 0, eventsPseudonymized: 0, deliveries: 0, tokens: 0, items: 0, traceEvents: 0, notes: 0, rollupRows: 0,
        };
        // Tokens first: from here on nothing authenticates as this rater. Their health visits
        // (numbers only, but they say which sites the rater used and when) go with them.
        const tokenIds = (await trx.selectFrom('tokens').select('id').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute()).map((t) => t.id);
        for (const ids of chunks(tokenIds, PAGE)) {
          await withHealth(trx).deleteFrom('site_visits').where('workspace_id', '=', workspaceId).where('token_id', 'in', ids).execute();
        }
        report.tokens = n(await trx.deleteFrom('tokens').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute());
        tokensChanged();
        // And their connect codes (store/connect-codes.ts): none may make a token for them later.
        await withConnectTables(trx).deleteFrom('connect_codes').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute();

        for (;;) {
          const rows = await trx
            .selectFrom('feedback')
            .selectAll()
            .where('workspace_id', '=', workspaceId)
            .where('rater_id', '=', raterId)
            .orderBy('id')
            .limit(PAGE)
            .execute();
          if (!rows.length) break;
          const done = await hardDeleteFeedback(trx, rows);
          report.feedback += done.feedback;
          report.events += done.events;
          report.deliveries += done.deliveries;
        }
        report.eventsPseudonymized = n(
          await trx
            .updateTable('feedback_events')
            .set({ actor_rater_id: ERASED_ACTOR, actor_token_id: null, client_id: null })
            .where('workspace_id', '=', workspaceId)
            .where('actor_rater_id', '=', raterId)
            .execute(),
        );
        // Deliveries that named the rater without a record id (none today; cheap to be sure).
        const gov = withGovernance(trx);
        const left = await gov.selectFrom('webhook_deliveries').select('id').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute();
        for (const ids of chunks(left.map((d) => d.id), PAGE)) {
          await gov.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
          report.deliveries += n(await gov.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute());
        }

        const items = withItemTables(trx);
        report.items = n(await items.deleteFrom('items').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute());
        report.traceEvents = n(
          await items.deleteFrom('trace_events').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute(),
        );
        // Notes they wrote on subjects (migration 0060); the search index forgets them by trigger.
        if (await hasTable(trx, 'subject_notes')) {
          report.notes = n(
            await (trx as unknown as Kysely<any>)
              .deleteFrom('subject_notes')
              .where('workspace_id', '=', workspaceId)
              .where('author_rater_id', '=', raterId)
              .execute(),
          );
        }
        // Idempotency keys they sent (migration 0140): each is their key and a hash of their request.
        await (trx as unknown as Kysely<any>).deleteFrom('idempotency_keys').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).execute();
        await forgetInQueues(trx, workspaceId, raterId);
        // Rating links made for this person (`user:<id>`, issue 17): they name them and may hold their prompt.
        if (raterId.startsWith('user:')) {
          await withLinkTables(trx).deleteFrom('feedback_links').where('workspace_id', '=', workspaceId).where('user_id', '=', raterId.slice('user:'.length)).execute();
        }
        // The projections have taken the rater's counts to zero and deleted the rows they emptied
        // (rollups.ts); a zero row an older version left behind would still name them.
        report.rollupRows = n(
          await (trx as unknown as Kysely<any>)
            .deleteFrom('rollup_members')
            .where('workspace_id', '=', workspaceId)
            .where('facet', '=', 'rater')
            .where('value', '=', raterId)
            .where('n', '=', 0)
            .execute(),
        );
        return report;
      }),
    ),
  ).finally(tokensChanged); // again after the commit: a lookup during the transaction read the old rows
}

/**
 * Erases every record made through one rating link (issue 17; records with client id
 * `link:<id>`), as eraseRater erases a rater's: projections first, then the rows, their events and
 * deliveries, zeroed from the file. The raters' other records stay.
 */
export async function eraseLinkRatings(
  db: Kysely<DB>,
  link: { workspace_id: string; id: string; target_key: string },
): Promise<{ feedback: number; events: number; deliveries: number }> {
  return withSecureDelete(db, () =>
    retryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        const found = await linkFeedbackRows(trx, link);
        await lockForWrite(trx, [...new Set(found.map((r) => lockName.rater(r.workspace_id, r.rater_id)))]);
        return hardDeleteFeedback(trx, await linkFeedbackRows(trx, link));
      }),
    ),
  );
}

export interface PurgeReport {
  before: string;
  workspaceId: string | null;
  feedback: number;
  events: number;
  deliveries: number;
  items: number;
  traceEvents: number;
}

/**
 * Retention: deletes feedback created before `before` (live records and tombstones, with their
 * events and deliveries), webhook deliveries, items and traces older than it. One workspace or
 * all. Pages of rows, one transaction each, so a large purge never holds the writer for long.
 */
export async function purgeOlderThan(
  db: Kysely<DB>,
  { before, workspaceId, dryRun = false }: { before: Date; workspaceId?: string; dryRun?: boolean },
): Promise<PurgeReport> {
  const cutoff = before.toISOString();
  const report: PurgeReport = { before: cutoff, workspaceId: workspaceId ?? null, feedback: 0, events: 0, deliveries: 0, items: 0, traceEvents: 0 };
  if (dryRun) {
    const count = async (table: string, column: string) => {
      let q = (db as unknown as Kysely<any>).selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where(column, '<', cutoff);
      if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    report.feedback = await count('feedback', 'created_at');
    report.deliveries = await count('webhook_deliveries', 'created_at');
    report.items = await count('items', 'updated_at');
    report.traceEvents = await count('trace_events', 'received_at');
    return report;
  }
  for (;;) {
    const done = await retryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        let q = trx.selectFrom('feedback').select(['id', 'workspace_id', 'rater_id']).where('created_at', '<', cutoff);
        if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
        const found = await q.orderBy('id').limit(PAGE).execute();
        if (!found.length) return null;
        // PostgreSQL: lock as the sync path does, then read the rows again under the locks.
        await lockForWrite(trx, [...found.map((r) => lockName.rater(r.workspace_id, r.rater_id)), ...found.map((r) => lockName.record(r.workspace_id, r.id))]);
        const rows: FeedbackTable[] = [];
        for (const [ws, ofWorkspace] of byWorkspace(found)) {
          rows.push(
            ...(await trx
              .selectFrom('feedback')
              .selectAll()
              .where('workspace_id', '=', ws)
              .where('id', 'in', ofWorkspace.map((r) => r.id))
              .where('created_at', '<', cutoff)
              .execute()),
          );
        }
        return hardDeleteFeedback(trx, rows);
      }),
    );
    if (!done) break;
    report.feedback += done.feedback;
    report.events += done.events;
    report.deliveries += done.deliveries;
  }
  await db.transaction().execute(async (trx) => {
    const g = withGovernance(trx);
    let old = g.selectFrom('webhook_deliveries').select('id').where('created_at', '<', cutoff);
    if (workspaceId) old = old.where('workspace_id', '=', workspaceId);
    for (const ids of chunks((await old.execute()).map((d) => d.id), PAGE)) {
      await g.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
      report.deliveries += n(await g.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute());
    }
    const it = withItemTables(trx);
    let di = it.deleteFrom('items').where('updated_at', '<', cutoff);
    if (workspaceId) di = di.where('workspace_id', '=', workspaceId);
    report.items = n(await di.execute());
    let dt = it.deleteFrom('trace_events').where('received_at', '<', cutoff);
    if (workspaceId) dt = dt.where('workspace_id', '=', workspaceId);
    report.traceEvents = n(await dt.execute());
    // Rating links (issue 17) that expired before the cutoff: their target text goes too.
    let dl = withLinkTables(trx).deleteFrom('feedback_links').where('expires_at', '<', cutoff);
    if (workspaceId) dl = dl.where('workspace_id', '=', workspaceId);
    await dl.execute();
    let dv = withHealth(trx).deleteFrom('site_visits').where('received_at', '<', cutoff);
    if (workspaceId) dv = dv.where('workspace_id', '=', workspaceId);
    await dv.execute();
  });
  return report;
}
