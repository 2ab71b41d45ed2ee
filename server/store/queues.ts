/**
 * Review queues (issue 16, item 1; ADR 0042; docs/api/queues.md): creating a queue (its items
 * fixed at creation, in a stable order, each with a snapshot of what is reviewed), its progress,
 * the list a caller may see, and the claim: a lease on the next item that still needs reviewers.
 * Reviews themselves are ordinary feedback with `queueId` (server/queues/write-check.ts refuses
 * what does not belong; server/queues/projection.ts marks claims submitted and the queue complete).
 *
 * Claims. A row of queue_claims (queue, target, rater) is one reviewer's hold on one item: active
 * while unsubmitted and `lease_expires_at` is in the future, submitted once the reviewer's ratings
 * of every criterion are in. An item is given to a rater only while its submitted reviews plus the
 * active claims of others are fewer than `reviewers_per_item`, and never when that rater already
 * submitted it. An expired, unsubmitted claim counts for nothing: the item is back in the pool for
 * anyone, and its row stays so the rater who let it lapse is offered it again only after every item
 * they never held (and only while it still needs a reviewer); claiming it again renews the same row.
 * A rater holding an unexpired claim is given that same item again (idempotent, same lease).
 *
 * Concurrency: a claim runs in one transaction; on PostgreSQL it first takes the queue's advisory
 * lock (write-locks.ts), which the review projection takes too, so several servers never hand out
 * one slot twice. SQLite runs its transactions one at a time on its single connection.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { itemTargetKey, type Item, type ItemPrediction } from '../../shared/items.ts';
import { LIMITS } from '../../shared/limits.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type {
  AssigneeProgress,
  Queue,
  QueueClaim,
  QueueInput,
  QueueItem,
  QueueProgress,
  QueueSummary,
  QueuesPage,
  QueuesQuery,
} from '../../shared/queues.ts';
import { QUEUE_LIMITS } from '../../shared/queues.ts';
import type { Role, Target } from '../../shared/schemas.ts';
import { chunks } from '../lib/chunks.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { applyFeedbackFilters } from './feedback-filters.ts';
import { rowToItem } from './items.ts';
import { withItemTables } from './items-tables.ts';
import { withQueueTables, type QueuesDB, type QueuesTable } from './queue-tables.ts';
import type { DB } from './schema.ts';
import { lockForWrite, retryOnConflict } from './write-locks.ts';

export interface QueueViewer {
  workspaceId: string;
  raterId: string;
  role: Role;
}

type AnyDb = Kysely<DB> | Transaction<DB>;
const q = (db: AnyDb) => withQueueTables(db as Kysely<DB>) as Kysely<QueuesDB>;

/** The advisory lock of one queue (claims and the review projection take it; PostgreSQL only). */
export const queueLockName = (workspaceId: string, queueId: string) => `queue:${workspaceId}\u001f${queueId}`;

/** What a queue refuses to be made of: named, for a 422. */
export class QueueInputError extends Error {
  override name = 'QueueInputError';
  constructor(
    readonly code: 'unknown_items' | 'unknown_raters' | 'empty_queue' | 'queue_too_large',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The caller may see the queue but not review in it (an analyst not among its assignees). */
export class QueueNotAssigneeError extends Error {
  override name = 'QueueNotAssigneeError';
  constructor(raterId: string) {
    super(`Rater ${raterId} is not an assignee of this queue.`);
  }
}

/** A cursor that is not one of ours. */
export class QueueCursorError extends Error {
  override name = 'QueueCursorError';
}

// ---- Reading rows ----

export const criteriaOf = (row: Pick<QueuesTable, 'criteria'>): string[] => JSON.parse(row.criteria) as string[];
export const assigneesOf = (row: Pick<QueuesTable, 'assignees'>): string[] | null =>
  row.assignees === null ? null : (JSON.parse(row.assignees) as string[]);

/** Anyone of the workspace when the queue names no assignees; else those named. */
export function mayReview(row: Pick<QueuesTable, 'assignees'>, raterId: string): boolean {
  const assignees = assigneesOf(row);
  return assignees === null || assignees.includes(raterId);
}

/** One queue of the workspace. */
export async function queueRow(db: AnyDb, workspaceId: string, id: string): Promise<QueuesTable | undefined> {
  return q(db).selectFrom('queues').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The stored snapshot of a queue item: the target as reviewers see it, and the AI's verdict apart. */
interface Snapshot {
  target: Target;
  prediction?: ItemPrediction;
}

/** A queue item as the API gives it (the caller drops the verdict where it is blind: server/queues/blind.ts). */
export function queueItemOf(row: { queue_id: string; position: number; target_key: string; item_id: string | null; target: string }): QueueItem {
  const snap = JSON.parse(row.target) as Snapshot;
  return {
    queueId: row.queue_id,
    position: Number(row.position),
    targetKey: row.target_key,
    itemId: row.item_id,
    target: snap.target,
    ...(snap.prediction ? { prediction: snap.prediction } : {}),
  };
}

/** A target taken from feedback, with an item prediction carried in its context moved out (so blind can withhold it). */
function snapshotOfTarget(target: Target): Snapshot {
  const context = target.context as Record<string, unknown> | undefined;
  if (!context || typeof context.prediction !== 'object' || context.prediction === null) return { target };
  const { prediction, ...rest } = context;
  const { context: _c, ...bare } = target;
  return { target: Object.keys(rest).length ? { ...bare, context: rest } : bare, prediction: prediction as ItemPrediction };
}

/**
 * A registered item as the target its reviews rate (`target.key` = its target key, its kind), as the
 * dashboard's review does (dashboard/item-feedback.ts), but without the prediction: the snapshot keeps
 * that apart. The item's context comes along when it fits a feedback target's context.
 */
function targetOfItem(item: Item): Target {
  // Long logs go first, then the error message, as the dashboard's review trims them.
  let context: Record<string, unknown> | undefined = item.context && Object.keys(item.context).length ? { ...item.context } : undefined;
  for (const drop of ['log_context', 'error_message']) {
    if (!context || JSON.stringify(context).length <= LIMITS.contextMaxBytes) break;
    delete context[drop];
  }
  if (context && (JSON.stringify(context).length > LIMITS.contextMaxBytes || !Object.keys(context).length)) context = undefined;
  return {
    kind: item.kind,
    key: item.targetKey,
    ...(item.subject ? { subject: item.subject } : {}),
    ...(item.model ? { model: item.model } : {}),
    ...(item.intent ? { intent: item.intent } : {}),
    ...(item.project ? { project: item.project } : {}),
    ...(item.url ? { url: item.url } : {}),
    ...(item.input ? { prompt: item.input } : {}),
    ...(item.output !== undefined ? { output: item.output } : {}),
    ...(context ? { context } : {}),
  };
}

// ---- Creating ----

interface NewItem {
  targetKey: string;
  itemId: string | null;
  snapshot: Snapshot;
}

/** Registered items by target key, as snapshots (the item's target, its prediction apart). */
async function itemSnapshots(db: Kysely<DB>, workspaceId: string, column: 'external_key' | 'target_key', keys: string[]) {
  const out = new Map<string, { id: string; targetKey: string; snapshot: Snapshot }>();
  for (const part of chunks(keys, 500)) {
    const rows = await withItemTables(db).selectFrom('items').selectAll().where('workspace_id', '=', workspaceId).where(column, 'in', part).execute();
    for (const row of rows) {
      const item = rowToItem(row);
      const snapshot: Snapshot = { target: targetOfItem(item), ...(item.prediction ? { prediction: item.prediction } : {}) };
      out.set(column === 'external_key' ? row.external_key : row.target_key, { id: row.id, targetKey: row.target_key, snapshot });
    }
  }
  return out;
}

/** The distinct targets of the live feedback matching the filter, oldest first matching record first. */
async function itemsFromFilter(db: Kysely<DB>, workspaceId: string, input: NonNullable<QueueInput['filter']>, now: Date): Promise<NewItem[]> {
  const { days, ...filters } = input;
  const f: Record<string, unknown> = { ...filters };
  if (days !== undefined) f.since = new Date(now.getTime() - days * 86_400_000).toISOString();
  const live = () => db.selectFrom('feedback').where('workspace_id', '=', workspaceId).where('deleted', '=', sql.lit(0));
  const keys = await applyFeedbackFilters(live(), f)
    .select(['target_key', sql<string>`min(created_at)`.as('first')])
    .groupBy('target_key')
    .orderBy('first')
    .orderBy('target_key')
    .limit(QUEUE_LIMITS.itemsMax + 1)
    .execute();
  if (keys.length > QUEUE_LIMITS.itemsMax) {
    throw new QueueInputError('queue_too_large', `The filter matches more than ${QUEUE_LIMITS.itemsMax} targets; narrow it.`, { max: QUEUE_LIMITS.itemsMax });
  }
  const targetKeys = keys.map((k) => k.target_key);
  // The latest matching record of each target gives its snapshot; a registered item's own record wins.
  const latest = new Map<string, { at: string; id: string; record: string }>();
  for (const part of chunks(targetKeys, 500)) {
    const rows = await applyFeedbackFilters(live(), f).select(['target_key', 'updated_at', 'id', 'record']).where('target_key', 'in', part).execute();
    for (const r of rows) {
      const cur = latest.get(r.target_key);
      if (r.record !== null && (!cur || r.updated_at > cur.at || (r.updated_at === cur.at && r.id > cur.id))) {
        latest.set(r.target_key, { at: r.updated_at, id: r.id, record: r.record });
      }
    }
  }
  const items = await itemSnapshots(db, workspaceId, 'target_key', targetKeys);
  return targetKeys.flatMap((key): NewItem[] => {
    const item = items.get(key);
    if (item) return [{ targetKey: key, itemId: item.id, snapshot: item.snapshot }];
    const rec = latest.get(key);
    if (!rec) return [];
    return [{ targetKey: key, itemId: null, snapshot: snapshotOfTarget((JSON.parse(rec.record) as { target: Target }).target) }];
  });
}

async function itemsFromKeys(db: Kysely<DB>, workspaceId: string, itemKeys: string[]): Promise<NewItem[]> {
  const keys = [...new Set(itemKeys)];
  const found = await itemSnapshots(db, workspaceId, 'external_key', keys);
  const unknown = keys.filter((k) => !found.has(k));
  if (unknown.length) {
    const shown = unknown.slice(0, 20);
    throw new QueueInputError(
      'unknown_items',
      `No registered item ${shown.join(', ')}${unknown.length > shown.length ? ` (and ${unknown.length - shown.length} more)` : ''} in this workspace (POST /v1/items registers them).`,
      { field: 'itemKeys', keys: unknown },
    );
  }
  return keys.map((k) => {
    const item = found.get(k)!;
    return { targetKey: item.targetKey ?? itemTargetKey(k), itemId: item.id, snapshot: item.snapshot };
  });
}

/** Assignees must be raters the workspace knows (a token with that rater id, revoked or not). */
async function checkAssignees(db: Kysely<DB>, workspaceId: string, assignees: string[]): Promise<void> {
  const known = new Set<string>();
  for (const part of chunks(assignees, 500)) {
    const rows = await db.selectFrom('tokens').select('rater_id').distinct().where('workspace_id', '=', workspaceId).where('rater_id', 'in', part).execute();
    for (const r of rows) known.add(r.rater_id);
  }
  const unknown = assignees.filter((a) => !known.has(a));
  if (unknown.length) {
    throw new QueueInputError('unknown_raters', `No rater ${unknown.join(', ')} in this workspace (each assignee needs a token here).`, { field: 'assignees', raterIds: unknown });
  }
}

/**
 * Makes a queue. Its items are fixed now: from `filter`, the distinct targets of the live feedback
 * matching it (first matched first), each with the target of its latest matching record (or the
 * registered item's, when the target is one); from `itemKeys`, those items in the order given.
 * QueueInputError: unknown item keys or assignees, nothing to review, too many items.
 */
export async function createQueue(
  db: Kysely<DB>,
  queue: { workspaceId: string; createdBy: string; input: QueueInput },
  now: Date,
  viewer?: QueueViewer,
): Promise<Queue> {
  const { workspaceId, input } = queue;
  if (input.assignees) await checkAssignees(db, workspaceId, input.assignees);
  const items = input.filter ? await itemsFromFilter(db, workspaceId, input.filter, now) : await itemsFromKeys(db, workspaceId, input.itemKeys!);
  if (items.length === 0) {
    throw new QueueInputError('empty_queue', input.filter ? 'No live feedback matches the filter: the queue would have nothing to review.' : 'The queue would have nothing to review.');
  }
  const id = uuidv7(now.getTime());
  const row: QueuesTable = {
    id,
    workspace_id: workspaceId,
    name: input.name,
    filter: input.filter ? JSON.stringify(input.filter) : null,
    item_keys: input.itemKeys ? JSON.stringify([...new Set(input.itemKeys)]) : null,
    reviewers_per_item: input.reviewersPerItem,
    blind: input.blind ? 1 : 0,
    criteria: JSON.stringify(input.criteria),
    assignees: input.assignees ? JSON.stringify(input.assignees) : null,
    due_at: input.due ? new Date(input.due).toISOString() : null,
    lease_seconds: input.leaseSeconds,
    created_by: queue.createdBy,
    created_at: now.toISOString(),
    completed_at: null,
  };
  await db.transaction().execute(async (trx) => {
    const t = q(trx);
    await t.insertInto('queues').values(row).execute();
    for (const part of chunks(
      items.map((it, position) => ({
        queue_id: id,
        workspace_id: workspaceId,
        position,
        target_key: it.targetKey,
        item_id: it.itemId,
        target: JSON.stringify(it.snapshot),
        reviews: 0,
      })),
      500,
    )) {
      await t.insertInto('queue_items').values(part).execute();
    }
  });
  return (await getQueue(db, viewer ?? { workspaceId, raterId: queue.createdBy, role: 'analyst' }, id, now))!;
}

// ---- Progress ----

const num = (v: unknown) => Number(v ?? 0);

async function progressOf(db: AnyDb, rows: QueuesTable[]): Promise<Map<string, QueueProgress>> {
  const out = new Map<string, QueueProgress>();
  if (!rows.length) return out;
  const figures = await q(db)
    .selectFrom('queue_items as qi')
    .innerJoin('queues as qq', 'qq.id', 'qi.queue_id')
    .select([
      'qi.queue_id',
      sql<number>`count(*)`.as('items'),
      sql<number>`sum(case when qi.reviews >= qq.reviewers_per_item then 1 else 0 end)`.as('complete'),
      sql<number>`sum(case when qi.reviews >= qq.reviewers_per_item then qq.reviewers_per_item else qi.reviews end)`.as('done'),
    ])
    .where('qi.queue_id', 'in', rows.map((r) => r.id))
    .where('qi.workspace_id', '=', rows[0]!.workspace_id)
    .groupBy('qi.queue_id')
    .execute();
  const byId = new Map(figures.map((f) => [f.queue_id, f]));
  for (const r of rows) {
    const f = byId.get(r.id);
    const items = num(f?.items);
    const itemsComplete = num(f?.complete);
    out.set(r.id, { items, itemsComplete, reviewsNeeded: items * r.reviewers_per_item, reviewsDone: num(f?.done), complete: items > 0 && itemsComplete === items });
  }
  return out;
}

/**
 * Per queue, the items `raterId` could still be given or holds now: not submitted by them, and
 * either held by them under an unexpired lease or with a free slot (submitted reviews plus other
 * reviewers' unexpired claims fewer than reviewers_per_item). 0 for a complete queue.
 */
async function toReviewOf(db: AnyDb, rows: QueuesTable[], raterId: string, now: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const open = rows.filter((r) => r.completed_at === null && mayReview(r, raterId));
  if (!open.length) return out;
  const at = now.toISOString();
  const counted = await sql<{ queue_id: string; n: number }>`
    select qi.queue_id, count(*) as n
    from queue_items qi
    join queues qq on qq.id = qi.queue_id
    left join queue_claims mine on mine.queue_id = qi.queue_id and mine.target_key = qi.target_key and mine.rater_id = ${raterId}
    where qi.queue_id in (${sql.join(open.map((r) => r.id))}) and qi.workspace_id = ${open[0]!.workspace_id}
      and mine.submitted_at is null
      and ((mine.rater_id is not null and mine.lease_expires_at > ${at})
        or (qi.reviews < qq.reviewers_per_item
          and (select count(*) from queue_claims c
               where c.queue_id = qi.queue_id and c.target_key = qi.target_key
                 and (c.submitted_at is not null or c.lease_expires_at > ${at})) < qq.reviewers_per_item))
    group by qi.queue_id`.execute(db);
  for (const r of counted.rows) out.set(r.queue_id, num(r.n));
  return out;
}

async function perAssigneeOf(db: AnyDb, row: QueuesTable, now: Date): Promise<AssigneeProgress[]> {
  const at = now.toISOString();
  const figures = await q(db)
    .selectFrom('queue_claims')
    .select([
      'rater_id',
      sql<number>`sum(case when submitted_at is not null then 1 else 0 end)`.as('done'),
      sql<number>`sum(case when submitted_at is null and lease_expires_at > ${at} then 1 else 0 end)`.as('claimed'),
    ])
    .where('workspace_id', '=', row.workspace_id)
    .where('queue_id', '=', row.id)
    .groupBy('rater_id')
    .execute();
  const byRater = new Map(figures.map((f) => [f.rater_id, { raterId: f.rater_id, done: num(f.done), claimed: num(f.claimed) }]));
  const named = assigneesOf(row);
  const order = named ?? [...byRater.keys()].sort();
  const out = order.map((raterId) => byRater.get(raterId) ?? { raterId, done: 0, claimed: 0 });
  return out;
}

function toSummary(row: QueuesTable, progress: QueueProgress, toReview: number): QueueSummary {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    filter: row.filter === null ? null : (JSON.parse(row.filter) as Record<string, unknown>),
    itemKeys: row.item_keys === null ? null : (JSON.parse(row.item_keys) as string[]),
    reviewersPerItem: row.reviewers_per_item,
    blind: row.blind === 1,
    criteria: criteriaOf(row),
    assignees: assigneesOf(row),
    due: row.due_at,
    leaseSeconds: row.lease_seconds,
    createdBy: row.created_by,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    progress,
    toReview,
  };
}

/** May this viewer see the queue? Analysts and admins: every queue of the workspace; raters: those they may review in. */
export function maySee(viewer: QueueViewer, row: Pick<QueuesTable, 'assignees'>): boolean {
  return viewer.role !== 'rater' || mayReview(row, viewer.raterId);
}

/** One queue with its progress overall and per assignee (a rater: only their own line); undefined when the viewer may not see it. */
export async function getQueue(db: AnyDb, viewer: QueueViewer, id: string, now: Date): Promise<Queue | undefined> {
  const row = await queueRow(db, viewer.workspaceId, id);
  if (!row || !maySee(viewer, row)) return undefined;
  const progress = (await progressOf(db, [row])).get(row.id)!;
  const toReview = (await toReviewOf(db, [row], viewer.raterId, now)).get(row.id) ?? 0;
  let perAssignee = await perAssigneeOf(db, row, now);
  if (viewer.role === 'rater') perAssignee = [perAssignee.find((p) => p.raterId === viewer.raterId) ?? { raterId: viewer.raterId, done: 0, claimed: 0 }];
  return { ...toSummary(row, progress, toReview), perAssignee };
}

/** LIKE pattern of a JSON string inside a JSON list, its wildcards escaped. */
const likeJsonString = (s: string) => `%${JSON.stringify(s).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The queues a viewer may see, newest first, each with its progress and the viewer's `toReview`. */
export async function listQueues(db: AnyDb, viewer: QueueViewer, query: QueuesQuery, now: Date): Promise<QueuesPage> {
  let sel = q(db).selectFrom('queues').selectAll().where('workspace_id', '=', viewer.workspaceId);
  if (viewer.role === 'rater') {
    sel = sel.where((eb) => eb.or([eb('assignees', 'is', null), sql<boolean>`assignees like ${likeJsonString(viewer.raterId)} escape '\\'`]));
  }
  if (query.status === 'open') sel = sel.where('completed_at', 'is', null);
  if (query.status === 'complete') sel = sel.where('completed_at', 'is not', null);
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    if (!after) throw new QueueCursorError('cursor is not one this list handed out');
    const [createdAt, id] = after;
    sel = sel.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  const rows = await sel.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit).filter((r) => maySee(viewer, r));
  const progress = await progressOf(db, page);
  const toReview = await toReviewOf(db, page, viewer.raterId, now);
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  return {
    items: page.map((r) => toSummary(r, progress.get(r.id)!, toReview.get(r.id) ?? 0)),
    nextCursor: last ? encodeCursor(last) : null,
  };
}

// ---- Claims ----

export type ClaimOutcome = { claim: QueueClaim } | { none: 'nothing_left' };

/**
 * A lease on the next item for `viewer` (see the file comment for the rules), or `none` when
 * nothing is left for them. Returns undefined when the queue is not theirs to see; throws
 * QueueNotAssigneeError for an analyst outside its assignees.
 */
export async function claimNext(db: Kysely<DB>, viewer: QueueViewer, queueId: string, now: Date): Promise<ClaimOutcome | undefined> {
  const at = now.toISOString();
  return retryOnConflict(() =>
    db.transaction().execute(async (trx): Promise<ClaimOutcome | undefined> => {
      await lockForWrite(trx, [queueLockName(viewer.workspaceId, queueId)]);
      const row = await queueRow(trx, viewer.workspaceId, queueId);
      if (!row || !maySee(viewer, row)) return undefined;
      if (!mayReview(row, viewer.raterId)) throw new QueueNotAssigneeError(viewer.raterId);
      const criteria = criteriaOf(row);
      const t = q(trx);
      // Driven by queue_claims_rater (queue, rater, submitted_at): a rater holds one item at a time.
      const lease = await t
        .selectFrom('queue_claims')
        .select(['target_key', 'lease_expires_at'])
        .where('queue_id', '=', queueId)
        .where('rater_id', '=', viewer.raterId)
        .where('submitted_at', 'is', null)
        .where('lease_expires_at', '>', at)
        .orderBy('claimed_at')
        .executeTakeFirst();
      const held = lease
        ? {
            ...(await t
              .selectFrom('queue_items')
              .select(['queue_id', 'position', 'target_key', 'item_id', 'target'])
              .where('queue_id', '=', queueId)
              .where('target_key', '=', lease.target_key)
              .executeTakeFirstOrThrow()),
            lease_expires_at: lease.lease_expires_at,
          }
        : undefined;
      if (held) return { claim: { item: queueItemOf(held), leaseExpiresAt: held.lease_expires_at, criteria } };
      if (row.completed_at !== null) return { none: 'nothing_left' };
      const rpi = row.reviewers_per_item;
      type Next = { queue_id: string; position: number; target_key: string; item_id: string | null; target: string };
      // A free slot: fewer submitted reviews plus unexpired claims than reviewers_per_item (`reviews`, the
      // submitted ones, is checked first: it rules out the finished items without the count).
      const free = sql`qi.reviews < ${rpi} and (select count(*) from queue_claims c
          where c.queue_id = qi.queue_id and c.target_key = qi.target_key
            and (c.submitted_at is not null or c.lease_expires_at > ${at})) < ${rpi}`;
      // First the items this rater never held, in order (the primary key's order: the scan stops at the first) ...
      const fresh = (
        await sql<Next>`
          select qi.queue_id, qi.position, qi.target_key, qi.item_id, qi.target from queue_items qi
          where qi.queue_id = ${queueId} and ${free}
            and not exists (select 1 from queue_claims mine
              where mine.queue_id = qi.queue_id and mine.target_key = qi.target_key and mine.rater_id = ${viewer.raterId})
          order by qi.position limit 1`.execute(trx)
      ).rows[0];
      // ... then one they let lapse, if it still needs a reviewer.
      const lapsed = fresh
        ? undefined
        : (
            await sql<Next>`
              select qi.queue_id, qi.position, qi.target_key, qi.item_id, qi.target from queue_claims mine
              join queue_items qi on qi.queue_id = mine.queue_id and qi.target_key = mine.target_key
              where mine.queue_id = ${queueId} and mine.rater_id = ${viewer.raterId}
                and mine.submitted_at is null and mine.lease_expires_at <= ${at} and ${free}
              order by qi.position limit 1`.execute(trx)
          ).rows[0];
      const next = fresh ?? lapsed;
      if (!next) return { none: 'nothing_left' };
      const leaseExpiresAt = new Date(now.getTime() + row.lease_seconds * 1000).toISOString();
      if (lapsed) {
        await t
          .updateTable('queue_claims')
          .set({ claimed_at: at, lease_expires_at: leaseExpiresAt })
          .where('queue_id', '=', queueId)
          .where('target_key', '=', next.target_key)
          .where('rater_id', '=', viewer.raterId)
          .execute();
      } else {
        await t
          .insertInto('queue_claims')
          .values({ queue_id: queueId, workspace_id: viewer.workspaceId, target_key: next.target_key, rater_id: viewer.raterId, claimed_at: at, lease_expires_at: leaseExpiresAt, submitted_at: null })
          .execute();
      }
      return { claim: { item: queueItemOf(next), leaseExpiresAt, criteria } };
    }),
  );
}
