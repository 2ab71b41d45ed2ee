/**
 * Writing feedback: applies mutations (sync, POST, PATCH, DELETE all come through here); reads are
 * in feedback-read.ts. Dialect-neutral Kysely so the PostgreSQL backend runs the same code.
 *
 * One batch is one transaction: existing rows are read in two queries, every mutation is decided in
 * memory in order, and the result is written with multi-row statements. The caller answers only
 * after the transaction has committed.
 */
import { hash as oneShotHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import {
  ATOMIC_BATCH_NOT_APPLIED,
  DEFAULT_CRITERION,
  FeedbackInput,
  Mutation,
  describeZodError,
  type MutationResult,
  type Role,
  type Channel,
} from '../../shared/schemas.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { DB, FeedbackEventsTable, FeedbackTable } from './schema.ts';
import { StoreInputError, type StoreErrorCode } from './errors.ts';
import { groupCommitPlanned } from './group-commit.ts';
import { lockForWrite, lockName, retryOnConflict } from './write-locks.ts';
import { sqliteFastPath } from './sqlite-fast-path.ts';
import { rowsByIds } from './feedback-read.ts';
import { chunks } from '../lib/chunks.ts';
import { runChangeListeners } from './feedback-changes.ts';
import { withoutText } from './tombstone.ts';
import { rememberRecord } from './row-records.ts';
import { FEEDBACK_COLUMNS, NUL_CHECKED, blankColumns, columnsFromRecord, sourceOf, valueAt } from '../../shared/feedback-fields.ts';
import { criterionOf, liveKey, liveKeyOfRow } from './live-key.ts';
import { reportMutationResults } from '../metrics/mutations.ts';
import { refuseOutsideQueues } from '../queues/write-check.ts';

export interface Actor {
  workspaceId: string;
  raterId: string;
  role: Role;
  tokenId: string | null;
  clientId: string | null;
  /** The route the write came in by (DESIGN, "Where a rating comes from"); absent: `api`. */
  channel?: Channel;
  /**
   * The name a person's ratings are stored under (`source.name`): a public key's name (issue 17,
   * channel `embed`). Absent: none. A model source names its own judge.
   */
  sourceName?: string;
  /**
   * Stored times after this one are ahead of the server's clock by more than the allowed skew (a
   * client's wrong clock, accepted before such times were refused): any write of this actor beats
   * them (ADR 0026). Unset (import, tools): plain last-writer-wins.
   */
  aheadAfter?: string;
}

interface Decided {
  id: string;
  op: 'upsert' | 'delete';
  updatedAt: string;
  hash: string;
  record?: FeedbackInput;
  /** The record serialized once, stored as is. */
  json?: string;
}

/**
 * A time as UTC with milliseconds (`2026-01-01T00:00:00.000Z`). Already so, it is returned as is:
 * the days 01–28 are in every month, so such a text is one Date's toISOString, not one Date would
 * move (`02-30` → `03-02`).
 */
const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
export function isoUtc(value: string): string {
  return CANONICAL_UTC.test(value) ? value : new Date(value).toISOString();
}

/** One-shot crypto.hash (Node ≥ 20.12): a third of createHash's time on a record this size. */
function sha256(text: string): string {
  return oneShotHash('sha256', text, 'hex');
}

/** Why a mutation is refused: a readable message and its code (store/errors.ts). */
export interface Refusal {
  error: string;
  reason: StoreErrorCode;
}

/** Checks one raw mutation; returns the decided shape or why it is refused. */
export function checkMutation(raw: unknown): Decided | Refusal {
  const parsed = Mutation.safeParse(raw);
  if (!parsed.success) return { error: describeZodError(parsed.error), reason: 'invalid_mutation' };
  const m = parsed.data;
  const updatedAt = isoUtc(m.updatedAt);
  if (m.op === 'delete' || m.feedback.deleted) {
    return { id: m.id, op: 'delete', updatedAt, hash: 'deleted' };
  }
  if (m.feedback.id !== m.id) return { error: `feedback.id (${m.feedback.id}) differs from the mutation id`, reason: 'id_mismatch' };
  const nul = columnWithNul(m.feedback);
  if (nul) return { error: `${nul}: must not contain the NUL character (U+0000)`, reason: 'nul_character' };
  // The parsed copy is zod's own new object, so it becomes the record in place, without a copy;
  // `deleted: false`, sent, is dropped.
  let record: FeedbackInput = m.feedback;
  if ('deleted' in record) {
    const { deleted: _deleted, ...rest } = record;
    record = rest;
  }
  // The default criterion is stored as absent: `overall` sent or not, a record serializes and hashes
  // alike (an old batch replayed, an export imported again, a PATCH: all `unchanged` where equal).
  if (record.criterion === DEFAULT_CRITERION) delete record.criterion;
  // In place: each keeps its position among the keys, as the serialization below needs.
  record.createdAt = isoUtc(record.createdAt);
  record.updatedAt = updatedAt;
  // zod outputs keys in schema order, so equal records serialize equally (free-form `context`
  // keeps the sender's key order, which a replay repeats).
  const json = JSON.stringify(record);
  return { id: m.id, op: 'upsert', updatedAt, hash: sha256(json), record, json };
}

/**
 * The fields stored in their own text columns must be free of U+0000, which PostgreSQL text cannot
 * hold (the rest travels inside the JSON record, where it is escaped). Refused on both backends alike.
 */
function columnWithNul(f: FeedbackInput): string | undefined {
  return NUL_CHECKED.find(({ path }) => {
    const v = valueAt(f, path);
    return typeof v === 'string' && v.includes('\u0000');
  })?.path;
}

/**
 * Does the incoming write beat the stored one? Last writer wins; ties: delete wins, then the larger
 * hash. A stored time after `aheadAfter` (a wrong clock, see Actor) loses to any real time.
 */
function incomingWins(cur: FeedbackTable, inc: { updatedAt: string; deleted: boolean; hash: string }, aheadAfter?: string): boolean | 'same' {
  if (inc.updatedAt !== cur.updated_at) {
    if (aheadAfter !== undefined && cur.updated_at > aheadAfter && inc.updatedAt <= aheadAfter) return true;
    return inc.updatedAt > cur.updated_at;
  }
  const curDeleted = cur.deleted === 1;
  if (curDeleted === inc.deleted && (inc.deleted || cur.content_hash === inc.hash)) return 'same';
  if (curDeleted !== inc.deleted) return inc.deleted;
  return inc.hash > cur.content_hash;
}

/** A record turned into a tombstone: no text kept (see withoutText). */
function tombstoneOf(row: FeedbackTable, changes: Partial<FeedbackTable>): FeedbackTable {
  const updatedAt = changes.updated_at ?? row.updated_at;
  return { ...row, ...changes, deleted: 1, record: withoutText(row.record, updatedAt), content_hash: 'deleted' };
}

/** The stored `source_name`: a model's judge, else the actor's name for people (a public key's), else ''. */
function judgeOf(actor: Actor, record: FeedbackInput): string {
  const source = sourceOf(record);
  return source.type === 'model' ? (source.name ?? '') : (actor.sourceName ?? '');
}

/**
 * The row of a live record: its columns from the description (shared/feedback-fields.ts), then the
 * server's, assigned onto the object columnsFromRecord built: spreading a row this wide into a new
 * literal cost ~25 µs per record in V8, more than the rest of a write's plan.
 */
function rowFromRecord(actor: Actor, record: FeedbackInput, json: string, hash: string, receivedAt: string, owner: string): FeedbackTable {
  const row: FeedbackTable = Object.assign(columnsFromRecord(record), {
    source_name: judgeOf(actor, record),
    workspace_id: actor.workspaceId,
    rater_id: owner,
    client_id: actor.clientId,
    source_channel: actor.channel ?? 'api',
    received_at: receivedAt,
    record: json,
    content_hash: hash,
  });
  rememberRecord(row, record);
  return row;
}

export interface ApplyOptions {
  /**
   * All or nothing (DESIGN, "Atomic batches"): if any mutation is rejected, none is written; the
   * culprits keep their reasons and every other mutation is `rejected` with reason
   * `atomic_batch_not_applied`. `stale` and `unchanged` are not failures.
   */
  atomic?: boolean;
  /**
   * Records restored as they were (`groundtruth import`): a `queueId` is kept as written, even when
   * that queue is not in this store (queues are not part of an export file).
   */
  restore?: boolean;
}

/** An atomic batch that was not applied: every mutation not rejected itself says so (in place). */
export function notApplied(results: MutationResult[]): MutationResult[] {
  results.forEach((r, i) => {
    if (r.status !== 'rejected') {
      results[i] = { id: r.id, status: 'rejected', reason: ATOMIC_BATCH_NOT_APPLIED, error: 'not applied: another mutation of this atomic batch was rejected' };
    }
  });
  return results;
}

/**
 * Applies mutations for one actor. Invalid ones are `rejected` with a reason and change nothing;
 * the rest apply (with `atomic`, none do then). Resolves after the transaction commits.
 */
export async function applyMutations(...args: Parameters<typeof applyMutationsOnce>): Promise<MutationResult[]> {
  return (await applyMutationsWithRows(...args)).results;
}

/**
 * applyMutations, also giving each record's row as stored when the transaction committed (by id;
 * a record this batch did not reach is absent). A route that answers with the record uses it
 * instead of reading it back: a read after the write waits for the one SQLite connection behind the
 * next group's whole transaction.
 */
export async function applyMutationsWithRows(...args: Parameters<typeof applyMutationsOnce>): Promise<{ results: MutationResult[]; rows: ReadonlyMap<string, FeedbackTable> }> {
  const answer = await applyMutationsOnce(...args);
  reportMutationResults(answer.results); // metrics/mutations.ts: counted per request and source
  return answer;
}

async function applyMutationsOnce(
  db: Kysely<DB>,
  actor: Actor,
  rawMutations: unknown[],
  now: Date = new Date(),
  options: ApplyOptions = {},
): Promise<{ results: MutationResult[]; rows: ReadonlyMap<string, FeedbackTable> }> {
  const receivedAt = now.toISOString();
  const none = new Map<string, FeedbackTable>();
  // A record naming a review queue must belong to it (queues/write-check.ts).
  const checked = options.restore ? rawMutations.map(checkMutation) : await refuseOutsideQueues(db, actor, rawMutations.map(checkMutation));
  const results: MutationResult[] = checked.map((c, i) =>
    'error' in c
      ? { id: idOf(rawMutations[i]), status: 'rejected', reason: c.reason, error: c.error }
      : { id: c.id, status: 'unchanged' },
  );
  const valid = checked.filter((c): c is Decided => !('error' in c));
  if (options.atomic && valid.length < checked.length) return { results: notApplied(results), rows: none };
  if (valid.length === 0) return { results, rows: none };
  if (actor.clientId?.includes('\u0000')) throw new StoreInputError('clientId must not contain the NUL character (U+0000).');
  const initialResults = results.map((r) => ({ ...r }));
  const fast = sqliteFastPath(db);

  // PostgreSQL with several servers: a conflicting concurrent batch makes this one run again
  // (write-locks.ts). SQLite: concurrent writes share one transaction, and their rows are written
  // by one flush (group-commit.ts); this batch's reads and decisions are its plan.
  const plan = await retryOnConflict(() => groupCommitPlanned<WritePlan>(db, fast !== undefined, { names: (p) => p.names, flush: flushPlans, prepare: async (trx: Transaction<DB>) => {
    const results: MutationResult[] = initialResults.map((r) => ({ ...r }));
    const ids = [...new Set(valid.map((v) => v.id))];
    const keys = [...new Set(valid.flatMap((v) => (v.record ? [v.record.target.key] : [])))];
    // Before reading: this rater's rows and these ids are ours until commit (no-op on SQLite).
    const held = new Set<string>();
    await lockForWrite(trx, [lockName.rater(actor.workspaceId, actor.raterId), ...ids.map((id) => lockName.record(actor.workspaceId, id))], held);
    // Ids are unique per workspace (migration 0100): another workspace's row with the same id is
    // not this batch's business, and nothing here may tell that it exists.
    const byId = new Map<string, FeedbackTable>();
    for (const row of await rowsByIds(trx, actor.workspaceId, ids)) byId.set(row.id, row);
    /** This rater's live rows by target key + criterion (live-key.ts): one live vote per criterion. */
    const liveByKey = new Map<string, FeedbackTable>();
    for (const row of await liveRowsOf(trx, actor.workspaceId, actor.raterId, keys)) {
      liveByKey.set(liveKeyOfRow(row), row);
      byId.set(row.id, row);
    }
    // An admin deleting another rater's record writes that rater's rows: take their lock too and
    // read those rows again, as that rater's own batch may have changed them meanwhile.
    const others = [...byId.values()].filter((r) => r.rater_id !== actor.raterId);
    if (await lockForWrite(trx, others.map((r) => lockName.rater(r.workspace_id, r.rater_id)), held)) {
      for (const row of await rowsByIds(trx, actor.workspaceId, others.map((r) => r.id))) byId.set(row.id, row);
    }
    const initial = new Map(byId);
    const dirty = new Map<string, FeedbackTable>();
    const events: FeedbackEventsTable[] = [];
    const event = (op: string, before: FeedbackTable | null, after: FeedbackTable) =>
      events.push({
        id: uuidv7(now.getTime()),
        workspace_id: actor.workspaceId,
        feedback_id: after.id,
        op,
        actor_rater_id: actor.raterId,
        actor_token_id: actor.tokenId,
        client_id: actor.clientId,
        at: receivedAt,
        before: before?.record ?? null,
        after: after.deleted ? null : after.record,
      });
    /** Records deleted by this batch whose stored events must lose their text. */
    const scrub = new Set<string>();
    const write = (row: FeedbackTable) => {
      byId.set(row.id, row);
      dirty.set(row.id, row);
    };

    checked.forEach((c, i) => {
      if ('error' in c) return;
      const cur = byId.get(c.id);
      const mayDeleteOthers = c.op === 'delete' && actor.role === 'admin';
      if (cur && cur.rater_id !== actor.raterId && !mayDeleteOthers) {
        results[i] = { id: c.id, status: 'rejected', reason: 'owned_by_other_rater', error: 'this record belongs to another rater' };
        return;
      }
      if (cur) {
        const wins = incomingWins(cur, { updatedAt: c.updatedAt, deleted: c.op === 'delete', hash: c.hash }, actor.aheadAfter);
        if (wins === 'same') return; // unchanged
        if (!wins) {
          results[i] = { id: c.id, status: 'stale' };
          return;
        }
      }
      if (c.op === 'delete') {
        const after: FeedbackTable = cur
          ? tombstoneOf(cur, { updated_at: c.updatedAt, received_at: receivedAt, client_id: actor.clientId })
          : {
              // An id this server never saw: every column blank (shared/feedback-fields.ts), deleted.
              ...blankColumns(),
              id: c.id, workspace_id: actor.workspaceId, rater_id: actor.raterId, client_id: actor.clientId,
              created_at: c.updatedAt, updated_at: c.updatedAt, received_at: receivedAt,
            };
        if (cur && !cur.deleted && liveByKey.get(liveKeyOfRow(cur))?.id === cur.id) liveByKey.delete(liveKeyOfRow(cur));
        // A deleted record's text leaves its history too: this batch's events of it now, the
        // stored ones before this batch's events are written.
        for (const e of events) {
          if (e.feedback_id !== c.id) continue;
          e.before = withoutText(e.before);
          e.after = withoutText(e.after);
        }
        if (initial.has(c.id)) scrub.add(c.id);
        write(after);
        event('delete', cur && !cur.deleted ? { ...cur, record: withoutText(cur.record) } : null, after);
        results[i] = { id: c.id, status: 'applied' };
        return;
      }
      const record = c.record!;
      const key = liveKey(record.target.key, criterionOf(record), judgeOf(actor, record));
      const other = liveByKey.get(key);
      if (other && other.id !== c.id) {
        // A second device (or a new id) rated the same target on the same criterion: the newer vote is the live one.
        const wins = incomingWins(other, { updatedAt: c.updatedAt, deleted: false, hash: c.hash }, actor.aheadAfter);
        if (wins !== true) {
          results[i] = { id: c.id, status: 'stale', error: 'a newer vote for this target and criterion exists' };
          return;
        }
        const superseded = tombstoneOf(other, { received_at: receivedAt });
        write(superseded);
        event('supersede', other, superseded);
      }
      if (cur && !cur.deleted && liveKeyOfRow(cur) !== key && liveByKey.get(liveKeyOfRow(cur))?.id === cur.id) {
        liveByKey.delete(liveKeyOfRow(cur));
      }
      const after = rowFromRecord(actor, record, c.json!, c.hash, receivedAt, cur?.rater_id ?? actor.raterId);
      write(after);
      liveByKey.set(key, after);
      event(cur && !cur.deleted ? 'update' : 'create', cur && !cur.deleted ? cur : null, after);
      results[i] = { id: c.id, status: 'applied' };
    });

    // What the plan read and what it writes: a write of the same group meeting these decides again.
    const names = new Set<string>();
    const name = (row: FeedbackTable) => {
      names.add(recordName(row.workspace_id, row.id));
      names.add(targetName(row.workspace_id, row.rater_id, row.target_key));
    };
    for (const id of ids) names.add(recordName(actor.workspaceId, id));
    for (const key of keys) names.add(targetName(actor.workspaceId, actor.raterId, key));
    for (const row of byId.values()) name(row);
    const plan: WritePlan = { workspaceId: actor.workspaceId, rows: [], events: [], scrub: [], initial, stored: initial, names: [], results, fast };
    // Atomic: a rejection anywhere and nothing is written (the transaction has only read so far).
    if (options.atomic && results.some((r) => r.status === 'rejected')) {
      notApplied(results);
    } else {
      // Tombstones first, so a superseded row leaves the live-target index before its successor enters it.
      plan.rows = [...dirty.values()].sort((a, b) => b.deleted - a.deleted);
      plan.events = events;
      plan.scrub = [...scrub];
      plan.stored = byId;
      for (const row of plan.rows) name(row);
    }
    plan.names = [...names];
    return plan;
  } }));
  return { results: plan.results, rows: plan.stored };
}

/**
 * A rater's live rows on these target keys. `deleted = 0` is a literal, not a parameter: SQLite
 * uses the partial index feedback_live_target only when the query's WHERE visibly implies the
 * index's `deleted = 0`.
 */
async function liveRowsOf(trx: Transaction<DB>, workspaceId: string, raterId: string, keys: string[]): Promise<FeedbackTable[]> {
  const fast = sqliteFastPath(trx);
  if (fast) {
    const live = fast.prepare('select * from feedback where workspace_id = ? and rater_id = ? and deleted = 0 and target_key = ?');
    return keys.flatMap((key) => live.all(workspaceId, raterId, key) as FeedbackTable[]);
  }
  const out: FeedbackTable[] = [];
  for (const part of chunks(keys, 500)) {
    out.push(
      ...(await trx
        .selectFrom('feedback')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('rater_id', '=', raterId)
        .where('deleted', '=', sql.lit(0))
        .where('target_key', 'in', part)
        .execute()),
    );
  }
  return out;
}

/** One applyMutations call's decisions, written by flushPlans (alone, or with its group's others). */
interface WritePlan {
  workspaceId: string;
  /** Tombstones first. */
  rows: FeedbackTable[];
  events: FeedbackEventsTable[];
  /** Records deleted by this batch whose stored events must lose their text. */
  scrub: string[];
  /** The rows as they were before, by id. */
  initial: Map<string, FeedbackTable>;
  /** The rows as they are once the plan is written (read or written by it), by id. */
  stored: Map<string, FeedbackTable>;
  names: string[];
  results: MutationResult[];
  fast: ReturnType<typeof sqliteFastPath>;
}

const recordName = (workspaceId: string, id: string) => `record\u001f${workspaceId}\u001f${id}`;
const targetName = (workspaceId: string, raterId: string, targetKey: string | null) => `target\u001f${workspaceId}\u001f${raterId}\u001f${targetKey ?? ''}`;

/**
 * Writes the plans of one or several applyMutations calls (their records and names are disjoint,
 * group-commit.ts sees to it): stored events scrubbed, rows and events written, then the
 * projections run once over all the changes.
 */
async function flushPlans(trx: Transaction<DB>, plans: WritePlan[]): Promise<void> {
  for (const p of plans) await scrubStoredEvents(trx, p.workspaceId, p.scrub);
  const changes = plans
    .flatMap((p) => p.rows.map((after) => ({ before: p.initial.get(after.id) ?? null, after })))
    .sort((a, b) => b.after.deleted - a.after.deleted);
  if (!changes.length) return;
  const rows = changes.map((c) => c.after);
  const events = plans.flatMap((p) => p.events);
  const fast = plans[0]!.fast;
  if (fast) {
    const known = new Set(changes.filter((c) => c.before).map((c) => c.after));
    fast.writeFeedback(rows, (row) => known.has(row));
    fast.insertEvents(events);
  } else {
    for (const part of chunks(rows, 200)) {
      await trx
        .insertInto('feedback')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'id']).doUpdateSet((eb) =>
            Object.fromEntries(FEEDBACK_COLUMNS.filter((col) => col !== 'id').map((col) => [col, eb.ref(`excluded.${col}`)])) as never,
          ),
        )
        .execute();
    }
    for (const part of chunks(events, 400)) await trx.insertInto('feedback_events').values(part).execute();
  }
  await runChangeListeners(trx, changes);
}

/** Takes the text out of the stored events of records just deleted (withoutText). */
async function scrubStoredEvents(trx: Transaction<DB>, workspaceId: string, ids: string[]): Promise<void> {
  for (const part of chunks(ids, 500)) {
    const rows = await trx
      .selectFrom('feedback_events')
      .select(['id', 'before', 'after'])
      .where('workspace_id', '=', workspaceId)
      .where('feedback_id', 'in', part)
      .execute();
    for (const e of rows) {
      const before = withoutText(e.before);
      const after = withoutText(e.after);
      if (before === e.before && after === e.after) continue;
      await trx.updateTable('feedback_events').set({ before, after }).where('workspace_id', '=', workspaceId).where('id', '=', e.id).execute();
    }
  }
}

function idOf(raw: unknown): string {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'string') return id.slice(0, 100);
  }
  return '';
}
