/**
 * The investigation trace: append-only, read back in arrival order. Nothing here updates or deletes
 * an event (retention and erasure are the governance code's business).
 */
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import { describeZodError, FeedbackInput } from '../../shared/schemas.ts';
import { TraceEventInput, type TraceEvent, type TraceEventResult, type TraceEventType } from '../../shared/trace-events.ts';
import { feedbackEventKind, isFeedbackEventType, type FeedbackEventType } from '../../shared/trace-feedback.ts';
import { stepIdOf, stepKindOf, stepTextOf } from '../../shared/trace-steps.ts';
import { chunks } from '../lib/chunks.ts';
import { clockAheadMessage, findClockAhead } from '../lib/clock.ts';
import { monotonicKey } from '../lib/monotonic-key.ts';
import type { TextRedactor } from '../lib/program-text.ts';
import { indexTraceEvents } from '../search/index.ts';
import { applyMutations, type Actor } from './feedback.ts';
import { joinTransaction } from './join-transaction.ts';
import type { DB } from './schema.ts';
import { traceFeedbackPlan, type TraceFeedbackPlan } from './trace-feedback.ts';
import { withTraceTables, type TraceDB, type TraceEventRow } from './trace-tables.ts';
import { retryOnConflict } from './write-locks.ts';

export interface TraceActor {
  workspaceId: string;
  raterId: string;
  tokenId: string | null;
}

function idOf(raw: unknown): string {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof (raw as { id: unknown }).id === 'string') return (raw as { id: string }).id.slice(0, 100);
  return '';
}

export interface AppendOptions {
  now?: Date;
  /** A feedback event stamped more than this ahead of `now` is rejected as clock_ahead (DESIGN, "Clocks"). */
  maxClockSkewSeconds?: number;
}

interface Pending {
  index: number;
  row: TraceEventRow;
  clientId: boolean;
  /** The validated event with its redacted data (feedback events only). */
  feedback?: TraceEventInput & { type: FeedbackEventType };
}

/**
 * Appends events in the order given. A bad event is `rejected` with its reason and the others are
 * appended; an id already appended by this workspace is `unchanged` (a retried batch appends nothing
 * twice). A `feedback.*` event also stores or updates the feedback record it describes, through
 * applyMutations in the same transaction (store/trace-feedback.ts): both or neither. Resolves
 * after the commit.
 */
export async function appendTraceEvents(
  db: Kysely<DB>,
  actor: TraceActor,
  raws: unknown[],
  redact: TextRedactor,
  options: AppendOptions | Date = {},
): Promise<TraceEventResult[]> {
  const opts = options instanceof Date ? { now: options } : options;
  const now = opts.now ?? new Date();
  const receivedAt = now.toISOString();
  const base: TraceEventResult[] = [];
  const pending: Pending[] = [];
  raws.forEach((raw, index) => {
    const parsed = TraceEventInput.safeParse(raw);
    if (!parsed.success) {
      base.push({ id: idOf(raw), status: 'rejected', error: describeZodError(parsed.error) });
      return;
    }
    const e = parsed.data;
    const id = e.id ?? uuidv7(now.getTime());
    const at = e.at ? new Date(e.at).toISOString() : receivedAt;
    if (isFeedbackEventType(e.type) && opts.maxClockSkewSeconds !== undefined) {
      const ahead = findClockAhead({ at: e.at }, opts.maxClockSkewSeconds, now);
      if (ahead) {
        base.push({ id, status: 'rejected', error: clockAheadMessage(ahead) });
        return;
      }
    }
    const data = redact.json(e.data);
    base.push({ id, status: 'appended' });
    pending.push({
      index,
      clientId: e.id !== undefined,
      ...(isFeedbackEventType(e.type) ? { feedback: { ...e, type: e.type, data } } : {}),
      row: {
        id,
        seq: '', // given inside the transaction, so arrival order matches commit order on SQLite
        workspace_id: actor.workspaceId,
        type: e.type,
        investigation_id: e.investigationId,
        subject: e.subject ?? null,
        data: JSON.stringify(data),
        at,
        received_at: receivedAt,
        rater_id: actor.raterId,
        token_id: actor.tokenId,
        actor_id: e.actorId ?? null,
        actor_type: e.actorType ?? null,
      },
    });
  });
  if (pending.length === 0) return base;

  let results: TraceEventResult[] = base;
  await retryOnConflict(() =>
    withTraceTables(db).transaction().execute(async (trx) => {
      results = base.map((r) => ({ ...r }));
      const clientIds = [...new Set(pending.filter((r) => r.clientId).map((r) => r.row.id))];
      // Ids are unique per workspace (migration 0100): another workspace's event with the same id
      // is neither a clash nor something this answer may reveal.
      const existing = new Set<string>();
      for (const part of chunks(clientIds, 500)) {
        const found = await trx.selectFrom('trace_events').select('id').where('workspace_id', '=', actor.workspaceId).where('id', 'in', part).execute();
        for (const f of found) existing.add(f.id);
      }
      const fresh: Pending[] = [];
      const seen = new Set<string>();
      for (const p of pending) {
        if (existing.has(p.row.id) || seen.has(p.row.id)) {
          results[p.index] = { id: p.row.id, status: 'unchanged' };
        } else {
          seen.add(p.row.id);
          fresh.push({ ...p, row: { ...p.row, seq: monotonicKey() } });
        }
      }
      const refused = await storeTraceFeedback(trx, actor, fresh, results, now);
      const rows = fresh.filter((p) => !refused.has(p.index)).map((p) => p.row);
      for (const part of chunks(rows, 100)) await trx.insertInto('trace_events').values(part).execute();
      // Searchable in the same transaction (search/index.ts); a feedback event's text is its record's, indexed there.
      await indexTraceEvents(trx, rows.filter((r) => !isFeedbackEventType(r.type)));
    }),
  );
  return results;
}

/**
 * The feedback records of this batch's fresh feedback events, written through applyMutations in
 * the caller's transaction. Sets each event's `feedback` result; an event whose record is refused
 * is `rejected` (and not appended): returns their indexes.
 */
async function storeTraceFeedback(trx: Transaction<TraceDB>, actor: TraceActor, fresh: Pending[], results: TraceEventResult[], now: Date): Promise<Set<number>> {
  const refused = new Set<number>();
  const votes = fresh.filter((p) => p.feedback);
  if (votes.length === 0) return refused;
  const texts = await stepTexts(trx, actor.workspaceId, fresh);
  const planned = votes.map((p) => {
    const e = p.feedback!;
    const data = e.data as { target_id?: string };
    const kind = feedbackEventKind(e.type, e.data as never);
    const stepText = data.target_id ? texts.get(stepKey(e.investigationId, kind, data.target_id)) : undefined;
    return { p, plan: traceFeedbackPlan(e, { tokenRaterId: actor.raterId, at: p.row.at, stepText }) };
  });
  // An update keeps the record's createdAt.
  const created = new Map<string, string>();
  for (const part of chunks([...new Set(planned.map((x) => x.plan.recordId))], 500)) {
    const rows = await trx.selectFrom('feedback').select(['id', 'created_at']).where('workspace_id', '=', actor.workspaceId).where('id', 'in', part).execute();
    for (const r of rows) created.set(r.id, r.created_at);
  }
  const byRater = new Map<string, { p: Pending; plan: TraceFeedbackPlan }[]>();
  for (const x of planned) {
    const createdAt = created.get(x.plan.recordId);
    if (createdAt && createdAt < x.plan.mutation.feedback.createdAt) x.plan.mutation.feedback.createdAt = createdAt;
    const check = FeedbackInput.safeParse(x.plan.mutation.feedback);
    if (!check.success) {
      results[x.p.index] = { id: x.p.row.id, status: 'rejected', error: `the feedback it describes is invalid: ${describeZodError(check.error)}` };
      refused.add(x.p.index);
      continue;
    }
    if (!createdAt || createdAt > x.plan.mutation.feedback.createdAt) created.set(x.plan.recordId, x.plan.mutation.feedback.createdAt); // a later vote in this batch keeps it
    const list = byRater.get(x.plan.raterId) ?? [];
    list.push(x);
    byRater.set(x.plan.raterId, list);
  }
  const joined = joinTransaction(trx as unknown as Transaction<DB>);
  for (const [raterId, list] of byRater) {
    const who: Actor = { workspaceId: actor.workspaceId, raterId, role: 'rater', tokenId: actor.tokenId, clientId: null, channel: 'dropin' };
    const answers = await applyMutations(joined, who, list.map((x) => x.plan.mutation), now);
    answers.forEach((a, i) => {
      const { p, plan } = list[i]!;
      if (a.status === 'rejected') {
        results[p.index] = { id: p.row.id, status: 'rejected', error: `the feedback it describes was refused: ${a.error ?? a.reason ?? 'rejected'}` };
        refused.add(p.index);
      } else {
        results[p.index] = { ...results[p.index]!, feedback: { id: plan.recordId, targetKey: plan.targetKey, status: a.status } };
      }
    });
  }
  return refused;
}

const stepKey = (investigationId: string, kind: string, id: string) => JSON.stringify([investigationId, kind, id]);

/** Steps read per investigation to find the text of a rated step. */
const STEP_SCAN_LIMIT = 5000;

/** The text of each step (by investigation, kind, id) in the investigations these events rate: stored ones and this batch's. */
async function stepTexts(trx: Transaction<TraceDB>, workspaceId: string, fresh: Pending[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const add = (investigationId: string, type: string, json: string) => {
    const kind = stepKindOf(type);
    if (!kind || type.startsWith('feedback.')) return;
    const data = JSON.parse(json) as Record<string, unknown>;
    const id = stepIdOf(kind, data);
    const text = stepTextOf(kind, data);
    const key = id && stepKey(investigationId, kind, id);
    if (key && text && !texts.has(key)) texts.set(key, text);
  };
  const investigations = [...new Set(fresh.filter((p) => p.feedback).map((p) => p.row.investigation_id))];
  for (const part of chunks(investigations, 100)) {
    const rows = await trx
      .selectFrom('trace_events')
      .select(['investigation_id', 'type', 'data'])
      .where('workspace_id', '=', workspaceId)
      .where('investigation_id', 'in', part)
      .where('type', 'not like', 'feedback.%')
      .orderBy('seq')
      .limit(STEP_SCAN_LIMIT)
      .execute();
    for (const r of rows) add(r.investigation_id, r.type, r.data);
  }
  for (const p of fresh) add(p.row.investigation_id, p.row.type, p.row.data);
  return texts;
}

export function rowToTraceEvent(row: TraceEventRow): TraceEvent {
  return {
    id: row.id,
    type: row.type as TraceEventType,
    investigationId: row.investigation_id,
    subject: row.subject,
    data: JSON.parse(row.data) as Record<string, unknown>,
    at: row.at,
    receivedAt: row.received_at,
    raterId: row.rater_id,
    actorId: row.actor_id ?? null,
    actorType: (row.actor_type as TraceEvent['actorType']) ?? null,
  };
}

export interface TraceFilters {
  subject?: string;
  investigation?: string;
  types?: string[];
  limit: number;
  /** The seq of the last event already read (from encodeTraceCursor). */
  after?: string;
}

export function encodeTraceCursor(seq: string): string {
  return Buffer.from(seq).toString('base64url');
}

export function decodeTraceCursor(cursor: string): string | undefined {
  const seq = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{13}-\d{6}-[0-9a-f]{8}$/.test(seq) ? seq : undefined;
}

/** Oldest first (arrival order), keyset-paginated on seq, within one workspace. */
export async function listTraceEvents(
  db: Kysely<DB>,
  workspaceId: string,
  f: TraceFilters,
): Promise<{ events: TraceEvent[]; nextCursor: string | null }> {
  let q = withTraceTables(db).selectFrom('trace_events').selectAll().where('workspace_id', '=', workspaceId);
  if (f.subject) q = q.where('subject', '=', f.subject);
  if (f.investigation) q = q.where('investigation_id', '=', f.investigation);
  if (f.types?.length) q = q.where('type', 'in', f.types);
  if (f.after) q = q.where('seq', '>', f.after);
  const rows = await q.orderBy('seq', 'asc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { events: page.map(rowToTraceEvent), nextCursor: rows.length > f.limit && last ? encodeTraceCursor(last.seq) : null };
}
