/**
 * Agreement read in time that does not grow with the targets (issue 19, item 4; migration 0240).
 *
 * rollup_agreement keeps, per workspace, criterion and model, the Krippendorff tallies
 * (krippendorff.ts, Tally) of every shared target: for scale `thumbs` (down, up) and `stars`
 * (1–5), rows (m, c, k) hold Σ n_c · n_k over units of m values, and rows (m, −1, −1) how many
 * units had m values; scale `raters` has (m, −1, −1) only: targets with m ≥ 2 raters. All integer
 * sums, so they move exactly: each batch takes a target's old counts away and adds its new ones,
 * old = new − delta, from the counts the rollup_targets upsert returns (RETURNING; on PostgreSQL
 * the upsert's row lock orders concurrent batches, so old and new are those of one serial order).
 *
 * rollup_targets.disagreement (disagreementOf, in SQL in the upsert) with two partial indexes
 * gives the most disputed targets from an index, without reading the others.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { emptyTally, tallyUnit, type Tally } from './krippendorff.ts';
import { withInsightsTables, type RollupTargetsTable } from './tables.ts';

export type Scale = 'raters' | 'thumbs' | 'stars';

export interface RollupAgreementTable {
  workspace_id: string;
  criterion: string;
  model: string;
  scale: Scale;
  /** Values in the unit (≥ 2). */
  m: number;
  /** Category pair, 0-based; −1, −1: the count of units. */
  c: number;
  k: number;
  n: number;
}

export const AGREEMENT_KEYS = ['workspace_id', 'criterion', 'model', 'scale', 'm', 'c', 'k'] as const;

export const thumbsUnit = (t: RollupTargetsTable): number[] => [t.down, t.up];
export const starsUnit = (t: RollupTargetsTable): number[] => [t.stars_1, t.stars_2, t.stars_3, t.stars_4, t.stars_5];

/** Per criterion and model: targets (2+ raters) and the two tallies. */
export interface Tallies {
  targets: number;
  thumbs: Tally;
  stars: Tally;
}

export function emptyTallies(): Tallies {
  return { targets: 0, thumbs: emptyTally(2), stars: emptyTally(5) };
}

export function tallyTarget(into: Tallies, t: RollupTargetsTable, sign: 1 | -1 = 1): void {
  if (t.n < 2) return;
  into.targets += sign;
  tallyUnit(into.thumbs, thumbsUnit(t), sign);
  tallyUnit(into.stars, starsUnit(t), sign);
}

/** Adds b into a. */
export function addTallies(a: Tallies, b: Tallies): void {
  a.targets += b.targets;
  for (const scale of ['thumbs', 'stars'] as const) {
    for (const [m, u] of b[scale].units) a[scale].units.set(m, (a[scale].units.get(m) ?? 0) + u);
    for (const [m, p] of b[scale].pairs) {
      let q = a[scale].pairs.get(m);
      if (!q) a[scale].pairs.set(m, (q = p.map((row) => row.map(() => 0))));
      p.forEach((row, c) => row.forEach((x, k) => (q![c]![k]! += x)));
    }
  }
}

/** The rows of a tally delta for one (workspace, criterion, model), non-zero only. */
export function tallyRows(workspaceId: string, criterion: string, model: string, t: Tallies, raters: Map<number, number>): RollupAgreementTable[] {
  const out: RollupAgreementTable[] = [];
  const base = { workspace_id: workspaceId, criterion, model };
  for (const [m, n] of raters) if (n) out.push({ ...base, scale: 'raters', m, c: -1, k: -1, n });
  for (const scale of ['thumbs', 'stars'] as const) {
    for (const [m, n] of t[scale].units) if (n) out.push({ ...base, scale, m, c: -1, k: -1, n });
    for (const [m, p] of t[scale].pairs) p.forEach((row, c) => row.forEach((n, k) => n && out.push({ ...base, scale, m, c, k, n })));
  }
  return out;
}

/**
 * The rollup_agreement deltas of a batch: for each target row the upsert returned (counts after),
 * its tallies after minus its tallies before (after − the batch's delta).
 */
export function agreementDeltas(returned: Record<string, unknown>[], deltas: Map<string, RollupTargetsTable>): RollupAgreementTable[] {
  const groups = new Map<string, { ws: string; criterion: string; model: string; t: Tallies; raters: Map<number, number> }>();
  const COUNTS = ['n', 'up', 'down', 'stars_n', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5'] as const;
  for (const r of returned) {
    const after = { ...(r as unknown as RollupTargetsTable) };
    for (const c of COUNTS) after[c] = Number(after[c]);
    const delta = deltas.get(JSON.stringify([after.workspace_id, after.criterion, after.target_key, after.model]));
    if (!delta) continue;
    const before = { ...after };
    for (const c of COUNTS) before[c] = after[c] - delta[c];
    if (before.n < 2 && after.n < 2) continue;
    const key = JSON.stringify([after.workspace_id, after.criterion, after.model]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ws: after.workspace_id, criterion: after.criterion, model: after.model, t: emptyTallies(), raters: new Map() }));
    for (const [row, sign] of [[before, -1], [after, 1]] as const) {
      if (row.n < 2) continue;
      tallyTarget(g.t, row, sign);
      g.raters.set(row.n, (g.raters.get(row.n) ?? 0) + sign);
    }
  }
  return [...groups.values()].flatMap((g) => tallyRows(g.ws, g.criterion, g.model, g.t, g.raters));
}

/** criterion → model → tallies. */
export type TalliesByCriterion = Map<string, Map<string, Tallies>>;

/** The tallies of one criterion and model in `all`, made empty on first use. */
export function talliesOf(all: TalliesByCriterion, criterion: string, model: string): Tallies {
  let byModel = all.get(criterion);
  if (!byModel) all.set(criterion, (byModel = new Map()));
  let t = byModel.get(model);
  if (!t) byModel.set(model, (t = emptyTallies()));
  return t;
}

/** The tallies per criterion and model of a workspace (optionally one criterion, one model). */
export async function readTallies(db: Kysely<DB>, workspaceId: string, filters: { criterion?: string; model?: string }): Promise<TalliesByCriterion> {
  let q = withInsightsTables(db)
    .selectFrom('rollup_agreement')
    .select(['criterion', 'model', 'scale', 'm', 'c', 'k', 'n'])
    .where('workspace_id', '=', workspaceId);
  if (filters.criterion) q = q.where('criterion', '=', filters.criterion);
  if (filters.model !== undefined) q = q.where('model', '=', filters.model);
  const out: TalliesByCriterion = new Map();
  for (const r of await q.execute()) {
    const t = talliesOf(out, r.criterion, r.model);
    const m = Number(r.m);
    const n = Number(r.n);
    const c = Number(r.c);
    const k = Number(r.k);
    if (r.scale === 'raters') {
      t.targets += n;
      continue;
    }
    const tally = t[r.scale];
    if (c < 0) tally.units.set(m, (tally.units.get(m) ?? 0) + n);
    else {
      let p = tally.pairs.get(m);
      if (!p) tally.pairs.set(m, (p = Array.from({ length: tally.k }, () => new Array<number>(tally.k).fill(0))));
      p[c]![k]! += n;
    }
  }
  return out;
}

/** 0 when every pair of raters agrees, up to 1 (half up, half down; or 1 star against 5). */
export function disagreementOf(t: RollupTargetsTable): number {
  const thumbs = t.up + t.down;
  const thumbPairs = thumbs * (thumbs - 1);
  const thumbScore = thumbPairs ? (2 * t.up * t.down) / thumbPairs : 0;
  const s = starsUnit(t);
  const m = t.stars_n;
  let distance = 0;
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) distance += s[a]! * s[b]! * Math.abs(a - b);
  const starScore = m > 1 ? distance / (m * (m - 1) * 4) : 0;
  return Math.max(thumbScore, starScore);
}

/**
 * disagreementOf in SQL, over the counts `now(c)` gives, as the same IEEE double
 * operations on the same integers: the index orders targets exactly as the code ranks them.
 */
export function disagreementSql(now: (column: string) => string, pg: boolean): string {
  const d = (c: string) => `cast(${now(c)} as double precision)`;
  const thumbs = `(${d('up')} + ${d('down')})`;
  const thumbScore = `case when ${thumbs} > 1 then (2 * ${d('up')} * ${d('down')}) / (${thumbs} * (${thumbs} - 1)) else 0 end`;
  const terms: string[] = [];
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) terms.push(`${d(`stars_${a + 1}`)} * ${d(`stars_${b + 1}`)} * ${Math.abs(a - b)}`);
  const m = d('stars_n');
  const starScore = `case when ${m} > 1 then (${terms.join(' + ')}) / (${m} * (${m} - 1) * 4) else 0 end`;
  return `${pg ? 'greatest' : 'max'}(${thumbScore}, ${starScore})`;
}
