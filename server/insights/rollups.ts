/**
 * Rollups kept current in the same transaction as every feedback change, so reading figures never
 * scans raw rows. `insightsRollups` is one of the projections every opened store runs
 * (store/projections.ts). Each change is {before, after}: the record's
 * contribution before the batch is taken away and its contribution after is added, so a re-vote,
 * a delete, a supersede or an erasure (after.deleted = 1) moves the counts exactly.
 * The counts hold people's ratings only (issue 16): a judge's rating (source.type `model`) adds its
 * training example and nothing else, so figures count people by default and a judge's figures
 * are counted from the rows (exact.ts). Rows before migration 0200 are people (its column default),
 * so their rollups are unchanged by it.
 *
 * Two rollups are derived from these in the same write (migration 0240, issue 19): distinct
 * members per window (distinct.ts, from the member days a batch turned on or off) and agreement
 * tallies (agreement-rollup.ts, from the targets' counts before and after the batch), so stats and
 * agreement read rows that grow with days and categories, not with members or targets.
 *
 * Writes are upserts that add deltas (`n = n + excluded.n`), as INSERT … ON CONFLICT … DO UPDATE
 * that SQLite and PostgreSQL both run (see upsert.ts for why they are precompiled).
 */
import { hash as oneShotHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { canonicalJson } from '../../shared/hash.ts';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import type { DB, FeedbackTable } from '../store/schema.ts';
import type { FeedbackExamplesTable, RollupDailyTable, RollupMembersTable, RollupTargetsTable } from './tables.ts';
import { deleteEmptied, deleteRows, upsertMany } from './upsert.ts';
import { AGREEMENT_KEYS, agreementDeltas, disagreementOf, disagreementSql } from './agreement-rollup.ts';
import { applyDistinctChanges, changedMembers } from './distinct.ts';
import { chunks } from '../lib/chunks.ts';
import { criterionOf } from '../store/live-key.ts';
import { recordOfRow } from '../store/row-records.ts';

/**
 * What the rollups are kept by besides the day: a figure filtered or grouped by any of these is
 * read from the rollups; any other filter counts raw rows (exact.ts). `criterion` (migration 0130)
 * is never '' (a record names one, else `overall`); figures take `overall` unless asked otherwise.
 */
export const DIMENSIONS = ['model', 'intent', 'project', 'site', 'kind', 'criterion'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const DAILY_KEYS = ['workspace_id', 'day', ...DIMENSIONS] as const;
const DAILY_COUNTS = [
  'n', 'up', 'down', 'stars_n', 'stars_sum', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5',
  'latency_n', 'latency_sum', 'tokens_n', 'tokens_sum',
] as const;
const MEMBER_KEYS = ['workspace_id', 'criterion', 'facet', 'day', 'value'] as const;
const TARGET_KEYS = ['workspace_id', 'criterion', 'target_key', 'model'] as const;
const TARGET_COUNTS = ['n', 'up', 'down', 'stars_n', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5'] as const;
const MEMBERS_UPSERT = { table: 'rollup_members', columns: [...MEMBER_KEYS, 'n'], keys: MEMBER_KEYS, add: ['n'], returning: [...MEMBER_KEYS, 'n'] };
const TARGETS_UPSERT = {
  table: 'rollup_targets',
  columns: [...TARGET_KEYS, ...TARGET_COUNTS, 'disagreement'],
  keys: TARGET_KEYS,
  add: TARGET_COUNTS,
  set: { disagreement: disagreementSql },
  returning: [...TARGET_KEYS, ...TARGET_COUNTS],
};
const EXAMPLE_COLUMNS = ['feedback_id', 'workspace_id', 'created_at', 'prompt_hash', 'example_hash'] as const;
const EXAMPLE_KEYS = ['workspace_id', 'feedback_id'] as const;

/** What one live record adds to the rollups. */
export interface Contribution {
  workspaceId: string;
  day: string;
  dims: Record<Dimension, string>;
  thumb: 'up' | 'down' | null;
  stars: number | null;
  latencyMs: number | null;
  tokensUsed: number | null;
  raterId: string;
  conversationId: string | null;
  targetKey: string;
  /**
   * A person's rating (source.type `human`). The rollups hold people only (DESIGN, "Where a rating
   * comes from": figures count people unless a filter asks otherwise); a judge's rating adds only
   * its training example, and figures about judges are counted from the rows (exact.ts).
   */
  human: boolean;
  example: Omit<FeedbackExamplesTable, 'feedback_id' | 'workspace_id'> | null;
}

interface ParsedRecord {
  target?: {
    prompt?: string;
    output?: string;
    messages?: { role: string; content: string }[];
    context?: Record<string, unknown>;
  };
  correction?: { output?: string };
}

function hash32(text: string): string {
  return oneShotHash('sha256', text, 'hex').slice(0, 32); // one-shot: a third of createHash's time here
}

/**
 * Whole milliseconds and tokens: sums of integers stay exact in a double (below 2^53), so adding
 * and taking away contributions in any order always returns to the same figure.
 */
function wholeNonNegative(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
}

/** Hashes that group a record's training example: its prompt context, and prompt + answer. */
export function exampleHashes(record: ParsedRecord): { promptHash: string; exampleHash: string } | null {
  const t = record.target;
  const prompt = t?.prompt;
  const output = t?.output ?? '';
  if (!prompt || !prompt.trim() || (!output.trim() && !record.correction?.output?.trim())) return null;
  const promptHash = hash32(canonicalJson([t.messages ?? [], prompt]));
  return { promptHash, exampleHash: hash32(canonicalJson([promptHash, output])) };
}

/** The contribution of a stored row, or null for a tombstone / no row. */
export function contributionOf(row: FeedbackTable | null | undefined): Contribution | null {
  if (!row || row.deleted) return null;
  // The record this write built the row from, else the stored JSON parsed; a row without a
  // readable record still counts by its columns.
  const record = (recordOfRow(row) ?? {}) as ParsedRecord;
  const context = record.target?.context ?? {};
  const hashes = exampleHashes(record);
  return {
    workspaceId: row.workspace_id,
    day: row.created_at.slice(0, 10),
    dims: {
      model: row.model ?? '',
      intent: row.intent ?? '',
      project: row.project ?? '',
      site: row.site ?? '',
      kind: row.kind ?? '',
      criterion: criterionOf(row),
    },
    thumb: row.thumb,
    stars: row.stars,
    latencyMs: wholeNonNegative(context.latency_ms),
    tokensUsed: wholeNonNegative(context.tokens_used),
    raterId: row.rater_id,
    conversationId: row.conversation_id,
    targetKey: row.target_key,
    human: row.source_type !== 'model',
    example: hashes ? { created_at: row.created_at, prompt_hash: hashes.promptHash, example_hash: hashes.exampleHash } : null,
  };
}

type Counts<K extends string> = Record<K, number>;

/** Deltas of one batch, keyed by each table's primary key (also the exact counts of exact.ts). */
export class Deltas {
  daily = new Map<string, RollupDailyTable>();
  members = new Map<string, RollupMembersTable>();
  targets = new Map<string, RollupTargetsTable>();
  /** Keyed by workspace and record id (ids are unique per workspace, migration 0100). */
  examplesUpsert = new Map<string, FeedbackExamplesTable>();
  examplesDelete = new Map<string, { workspace_id: string; feedback_id: string }>();

  add(c: Contribution, sign: 1 | -1): void {
    const ws = c.workspaceId;
    const dims = c.dims;
    const dailyKey = JSON.stringify([ws, c.day, ...DIMENSIONS.map((d) => dims[d])]);
    let d = this.daily.get(dailyKey);
    if (!d) {
      d = withZeros({ workspace_id: ws, day: c.day, ...dims }, DAILY_COUNTS);
      this.daily.set(dailyKey, d);
    }
    d.n += sign;
    if (c.thumb === 'up') d.up += sign;
    if (c.thumb === 'down') d.down += sign;
    if (c.stars !== null && c.stars >= 1 && c.stars <= 5) {
      d.stars_n += sign;
      d.stars_sum += sign * c.stars;
      d[`stars_${c.stars as 1 | 2 | 3 | 4 | 5}`] += sign;
    }
    if (c.latencyMs !== null) {
      d.latency_n += sign;
      d.latency_sum += sign * c.latencyMs;
    }
    if (c.tokensUsed !== null) {
      d.tokens_n += sign;
      d.tokens_sum += sign * c.tokensUsed;
    }

    this.member(ws, dims.criterion, 'rater', c.day, c.raterId, sign);
    if (c.conversationId) this.member(ws, dims.criterion, 'conversation', c.day, c.conversationId, sign);

    const targetKey = JSON.stringify([ws, dims.criterion, c.targetKey, dims.model]);
    let t = this.targets.get(targetKey);
    if (!t) {
      t = withZeros({ workspace_id: ws, criterion: dims.criterion, target_key: c.targetKey, model: dims.model, disagreement: 0 }, TARGET_COUNTS);
      this.targets.set(targetKey, t);
    }
    t.n += sign;
    if (c.thumb === 'up') t.up += sign;
    if (c.thumb === 'down') t.down += sign;
    if (c.stars !== null && c.stars >= 1 && c.stars <= 5) {
      t.stars_n += sign;
      t[`stars_${c.stars as 1 | 2 | 3 | 4 | 5}`] += sign;
    }
  }

  private member(ws: string, criterion: string, facet: 'rater' | 'conversation', day: string, value: string, sign: number): void {
    const key = JSON.stringify([ws, criterion, facet, day, value]);
    const m = this.members.get(key);
    if (m) m.n += sign;
    else this.members.set(key, { workspace_id: ws, criterion, facet, day, value, n: sign });
  }

  /** A kept rollup's change: counts for people only (Contribution.human), examples for every source. */
  change(workspaceId: string, id: string, before: Contribution | null, after: Contribution | null): void {
    if (before?.human) this.add(before, -1);
    if (after?.human) this.add(after, 1);
    const b = before?.example;
    const a = after?.example;
    const key = JSON.stringify([workspaceId, id]);
    if (a && after) {
      if (!b || b.prompt_hash !== a.prompt_hash || b.example_hash !== a.example_hash || b.created_at !== a.created_at) {
        this.examplesUpsert.set(key, { feedback_id: id, workspace_id: workspaceId, created_at: a.created_at, prompt_hash: a.prompt_hash, example_hash: a.example_hash });
      }
    } else if (b) {
      this.examplesDelete.set(key, { workspace_id: workspaceId, feedback_id: id });
    }
  }
}

/**
 * `row` with every count set to 0, assigned onto it: spreading an Object.fromEntries result into a
 * new literal took V8's slow path, once for each of a batch's ~500 new targets.
 */
function withZeros<T extends object, K extends string>(row: T, keys: readonly K[]): T & Counts<K> {
  const out = row as T & Counts<K>;
  for (const k of keys) (out as Record<string, number>)[k] = 0;
  return out;
}

function nonZero<K extends string>(row: Counts<K>, counts: readonly K[]): boolean {
  return counts.some((k) => row[k] !== 0);
}

/**
 * `fresh`: the examples are new rows of an emptied table (rebuildRollups), inserted without a
 * conflict target — migration 0020 runs the rebuild on stores whose feedback_examples is still
 * keyed by feedback_id alone, before 0100 keys it by workspace and id.
 */
async function write(db: Kysely<any>, deltas: Deltas, fresh = false): Promise<void> {
  const daily = [...deltas.daily.values()].filter((r) => nonZero(r, DAILY_COUNTS));
  const members = [...deltas.members.values()].filter((r) => r.n !== 0);
  const targets = [...deltas.targets.values()].filter((r) => nonZero(r, TARGET_COUNTS));
  if (daily.length) await upsertMany(db, { table: 'rollup_daily', columns: [...DAILY_KEYS, ...DAILY_COUNTS], keys: DAILY_KEYS, add: DAILY_COUNTS }, daily as never);
  // Members and targets return their counts after the batch: the distinct-count and agreement
  // rollups move by what changed (distinct.ts, agreement-rollup.ts), once per batch per key.
  const membersAfter = members.length ? await upsertMany(db, MEMBERS_UPSERT, members as never) : [];
  for (const t of targets) t.disagreement = disagreementOf(t);
  const targetsAfter = targets.length ? await upsertMany(db, TARGETS_UPSERT, targets as never) : [];
  // A row whose count went down may now count nothing: delete it, so that no zero row goes on
  // naming a conversation, a target or a rater whose records are gone (ADR 0013). Only deletions,
  // supersedes and erasures take a count down, so ordinary votes pay nothing for this.
  const emptied = <T extends { n: number }>(list: T[]) => list.filter((r) => r.n < 0) as never[];
  if (daily.some((r) => r.n < 0)) await deleteEmptied(db, 'rollup_daily', DAILY_KEYS, 'n', emptied(daily));
  if (members.some((r) => r.n < 0)) await deleteEmptied(db, 'rollup_members', MEMBER_KEYS, 'n', emptied(members));
  if (targets.some((r) => r.n < 0)) await deleteEmptied(db, 'rollup_targets', TARGET_KEYS, 'n', emptied(targets));
  await applyDistinctChanges(db, changedMembers(membersAfter, deltas.members));
  const agreement = agreementDeltas(targetsAfter, deltas.targets);
  if (agreement.length) {
    await upsertMany(db, { table: 'rollup_agreement', columns: [...AGREEMENT_KEYS, 'n'], keys: AGREEMENT_KEYS, add: ['n'] }, agreement as never);
    if (agreement.some((r) => r.n < 0)) await deleteEmptied(db, 'rollup_agreement', AGREEMENT_KEYS, 'n', agreement.filter((r) => r.n < 0) as never, { m: 'integer', c: 'integer', k: 'integer' });
  }
  if (deltas.examplesDelete.size) await deleteRows(db, 'feedback_examples', EXAMPLE_KEYS, [...deltas.examplesDelete.values()]);
  if (deltas.examplesUpsert.size && fresh) {
    for (const part of chunks([...deltas.examplesUpsert.values()], 200)) await db.insertInto('feedback_examples').values(part).execute();
  } else if (deltas.examplesUpsert.size) {
    await upsertMany(
      db,
      { table: 'feedback_examples', columns: EXAMPLE_COLUMNS, keys: EXAMPLE_KEYS, replace: ['created_at', 'prompt_hash', 'example_hash'] },
      [...deltas.examplesUpsert.values()] as never,
    );
  }
}

/** Applies a batch of changes to the rollups (inside the caller's transaction). */
export async function applyRollupChanges(trx: Kysely<DB> | Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  const deltas = new Deltas();
  for (const { before, after } of changes) deltas.change(after.workspace_id, after.id, contributionOf(before), contributionOf(after));
  await write(trx as Kysely<any>, deltas);
}

/**
 * Recomputes every rollup from the feedback table (all workspaces, or one). Used by migration
 * 0020 for stores that already hold feedback, and by operators after restoring a raw backup.
 */
export async function rebuildRollups(db: Kysely<any>, options: { workspaceId?: string; pageSize?: number } = {}): Promise<number> {
  const pageSize = options.pageSize ?? 2000;
  for (const table of ['rollup_daily', 'rollup_members', 'rollup_targets', 'rollup_distinct', 'rollup_agreement', 'feedback_examples']) {
    let q = db.deleteFrom(table);
    if (options.workspaceId) q = q.where('workspace_id', '=', options.workspaceId);
    await q.execute();
  }
  // Keyset on (workspace_id, id), the primary key: the same id may be in two workspaces.
  let after: [string, string] | null = null;
  let total = 0;
  for (;;) {
    let q = db.selectFrom('feedback').selectAll().where('deleted', '=', 0);
    if (options.workspaceId) q = q.where('workspace_id', '=', options.workspaceId);
    if (after) {
      const [ws, id] = after;
      q = q.where((eb: any) => eb.or([eb('workspace_id', '>', ws), eb.and([eb('workspace_id', '=', ws), eb('id', '>', id)])]));
    }
    const rows = (await q.orderBy('workspace_id').orderBy('id').limit(pageSize).execute()) as FeedbackTable[];
    if (!rows.length) return total;
    const deltas = new Deltas();
    for (const row of rows) deltas.change(row.workspace_id, row.id, null, contributionOf(row));
    await write(db, deltas, true);
    total += rows.length;
    const last = rows[rows.length - 1]!;
    after = [last.workspace_id, last.id];
  }
}

/** The change listener (store/projections.ts attaches it to every opened store). */
export async function insightsRollups(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  await applyRollupChanges(trx, changes);
}
