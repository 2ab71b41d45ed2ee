/**
 * Exact distinct raters and conversations over any window of days, at a cost that grows with the
 * days of the window, not with the members (issue 19, item 4; migration 0240).
 *
 * rollup_members keeps one row per member and day it was active (n > 0). rollup_distinct keeps,
 * per (workspace, criterion, facet, day d, prev_day p), how many members were active on d with
 * p their previous active day ('' for none). A member active in [a, b) is counted exactly once, at
 * its first active day in the window — the one whose previous active day is before a:
 *
 *   distinct(a, b) = Σ n  over  a ≤ day < b  and  prev_day < a        ('' sorts before every day)
 *
 * Upkeep, in the write's transaction, for the (member, day) rows a batch turned active (0 → n) or
 * inactive (n → 0), as RETURNING reports them: per member, the days between the previous active
 * day p before its first changed day and the next one q after its last changed day form a chain;
 * its consecutive pairs are taken away as they were before the batch and added as they are after.
 * Pairs outside [p, q] are untouched. One lookup statement per 64 members.
 *
 * PostgreSQL: two servers changing one member's days at once would each read the other's days as
 * they were before; an advisory lock per member (write-locks.ts) makes the second wait and read
 * the first's committed days. SQLite runs one transaction at a time.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema.ts';
import { lockForWrite } from '../store/write-locks.ts';
import { withInsightsTables, type RollupMembersTable } from './tables.ts';
import { deleteEmptied, placeholders, queryInParts, upsertMany } from './upsert.ts';

export interface RollupDistinctTable {
  workspace_id: string;
  criterion: string;
  facet: 'rater' | 'conversation';
  day: string;
  /** The member's previous active day, '' for none. */
  prev_day: string;
  n: number;
}

const DISTINCT_KEYS = ['workspace_id', 'criterion', 'facet', 'day', 'prev_day'] as const;
const MEMBER = ['workspace_id', 'criterion', 'facet', 'value'] as const;

/** A member whose active days a batch changed. */
interface Changed {
  workspace_id: string;
  criterion: string;
  facet: 'rater' | 'conversation';
  value: string;
  /** Days that became active / inactive in this batch. */
  on: Set<string>;
  off: Set<string>;
  lo: string;
  hi: string;
}

const memberKey = (r: { workspace_id: string; criterion: string; facet: string; value: string }) =>
  JSON.stringify([r.workspace_id, r.criterion, r.facet, r.value]);

/**
 * The members whose active days changed, from the rows the members upsert returned (n after the
 * batch) and the batch's deltas (n before = n after − delta).
 */
export function changedMembers(returned: Record<string, unknown>[], deltas: Map<string, RollupMembersTable>): Changed[] {
  const out = new Map<string, Changed>();
  for (const r of returned) {
    const row = r as unknown as RollupMembersTable;
    const after = Number(row.n);
    const delta = deltas.get(JSON.stringify([row.workspace_id, row.criterion, row.facet, row.day, row.value]))?.n ?? 0;
    const before = after - delta;
    if (before > 0 === after > 0) continue;
    const key = memberKey(row);
    let c = out.get(key);
    if (!c) {
      c = { workspace_id: row.workspace_id, criterion: row.criterion, facet: row.facet, value: row.value, on: new Set(), off: new Set(), lo: row.day, hi: row.day };
      out.set(key, c);
    }
    (after > 0 ? c.on : c.off).add(row.day);
    if (row.day < c.lo) c.lo = row.day;
    if (row.day > c.hi) c.hi = row.day;
  }
  return [...out.values()];
}

const q = (n: string) => `"${n}"`;

/** Per member of the part: its previous active day before lo, its next after hi, its active days in [lo, hi]. */
function lookupText(size: number, pg: boolean): string {
  const cols = [...MEMBER, 'lo', 'hi'];
  const same = MEMBER.map((c) => `m.${q(c)} = t.${q(c)}`).join(' and ');
  const t = `t(${cols.map(q).join(', ')}) as (values ${placeholders(pg, size, cols.length)})`;
  const pick = MEMBER.map((c) => `t.${q(c)}`).join(', ');
  return (
    `with ${t} ` +
    `select ${pick}, 'p' as "kind", (select max(m."day") from "rollup_members" m where ${same} and m."day" < t."lo" and m."n" > 0) as "day" from t ` +
    `union all select ${pick}, 'q', (select min(m."day") from "rollup_members" m where ${same} and m."day" > t."hi" and m."n" > 0) from t ` +
    `union all select ${pick}, 'm', m."day" from t join "rollup_members" m on ${same} and m."day" >= t."lo" and m."day" <= t."hi" and m."n" > 0`
  );
}

/** The consecutive pairs of a chain of days, as (day, prev_day) keys; `prev` is the active day before the chain's first. */
function addPairs(into: Map<string, RollupDistinctTable>, c: Changed, chain: string[], prev: string | null, sign: 1 | -1): void {
  let before = prev;
  for (const day of chain) {
    const p = before ?? '';
    const key = JSON.stringify([c.workspace_id, c.criterion, c.facet, day, p]);
    const row = into.get(key);
    if (row) row.n += sign;
    else into.set(key, { workspace_id: c.workspace_id, criterion: c.criterion, facet: c.facet, day, prev_day: p, n: sign });
    before = day;
  }
}

/** Moves rollup_distinct by the members' changed days (after rollup_members holds the batch). */
export async function applyDistinctChanges(db: Kysely<any> | Transaction<any>, changed: Changed[]): Promise<void> {
  if (!changed.length) return;
  await lockForWrite(db as Kysely<any>, changed.map((c) => `rollup:member:${memberKey(c)}`));
  const found = await queryInParts<Changed, { workspace_id: string; criterion: string; facet: string; value: string; kind: 'p' | 'q' | 'm'; day: string | null }>(
    db,
    'distinct-lookup',
    changed,
    lookupText,
    (c) => [c.workspace_id, c.criterion, c.facet, c.value, c.lo, c.hi],
  );
  const around = new Map<string, { p: string | null; q: string | null; mid: string[] }>();
  for (const r of found) {
    const key = memberKey(r);
    let a = around.get(key);
    if (!a) around.set(key, (a = { p: null, q: null, mid: [] }));
    if (r.kind === 'm') a.mid.push(r.day!);
    else a[r.kind] = r.day ?? null;
  }
  const deltas = new Map<string, RollupDistinctTable>();
  for (const c of changed) {
    const a = around.get(memberKey(c)) ?? { p: null, q: null, mid: [] };
    const after = [...a.mid].sort();
    const before = [...after.filter((d) => !c.on.has(d)), ...c.off].sort();
    const tail = a.q ? [a.q] : [];
    addPairs(deltas, c, [...before, ...tail], a.p, -1);
    addPairs(deltas, c, [...after, ...tail], a.p, 1);
  }
  const rows = [...deltas.values()].filter((r) => r.n !== 0);
  if (!rows.length) return;
  await upsertMany(db, { table: 'rollup_distinct', columns: [...DISTINCT_KEYS, 'n'], keys: DISTINCT_KEYS, add: ['n'] }, rows as never);
  if (rows.some((r) => r.n < 0)) await deleteEmptied(db, 'rollup_distinct', DISTINCT_KEYS, 'n', rows.filter((r) => r.n < 0) as never);
}

/**
 * Members active in [since, until): each counted once, on its first active day of the window —
 * the day whose previous active day is before `since`. Reads days × earlier active days rows,
 * however many members there are.
 */
export async function distinctInWindow(db: Kysely<DB>, workspaceId: string, criterion: string, facet: 'rater' | 'conversation', since: string, until: string): Promise<number> {
  const row = await withInsightsTables(db)
    .selectFrom('rollup_distinct')
    .select((eb) => eb.fn.sum<number>('n').as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('criterion', '=', criterion)
    .where('facet', '=', facet)
    .where('day', '>=', since)
    .where('day', '<', until)
    .where('prev_day', '<', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
