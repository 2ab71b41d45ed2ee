/**
 * Agreement between raters on targets that two or more of them rated: percent agreement and
 * Krippendorff's alpha, nominal for thumbs and ordinal for stars, overall and per model, plus the
 * most disputed targets. A unit is a target *and criterion*: raters agree or disagree on a
 * target's correctness apart from its helpfulness. `overall`, `byModel` and `disputed` are for one
 * criterion (`overall` unless a `criterion` filter names another); `byCriterion` gives every
 * criterion's figures (only the named one with a `criterion` filter).
 *
 * Reads rollup_targets (votes per target and criterion) when the only filters are model and
 * criterion: the coincidence matrix needs nothing more than each unit's value counts, all time
 * (targets are not kept per day). Any other filter (a window, intent, subject, …) counts the
 * matching rows exactly (exact.ts).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';
import { exactRollups } from './exact.ts';
import { rollupsAnswer, type InsightFilters } from './filters.ts';
import { krippendorffAlpha, type AlphaResult } from './krippendorff.ts';
import { withInsightsTables, type RollupTargetsTable } from './tables.ts';

export interface AgreementOptions extends InsightFilters {
  /** How many disputed targets to list (default 10). */
  disputedLimit?: number;
}

export interface AgreementFigures {
  thumbs: AlphaResult;
  stars: AlphaResult;
}

export interface DisputedTarget {
  targetKey: string;
  criterion: string;
  model: string | null;
  raters: number;
  up: number;
  down: number;
  /** Counts of 1 to 5 stars. */
  stars: number[];
  /** Share of disagreeing rater pairs (thumbs), or mean distance between pairs over the 1–5 range (stars): 0 to 1. */
  disagreement: number;
}

export interface AgreementResult {
  /** The criterion of `overall`, `byModel` and `disputed`. */
  criterion: string;
  overall: AgreementFigures & { targets: number };
  byModel: (AgreementFigures & { model: string | null; targets: number })[];
  disputed: DisputedTarget[];
  /** Per criterion, most shared targets first. */
  byCriterion: (AgreementFigures & { criterion: string; targets: number })[];
}

function thumbsUnit(t: RollupTargetsTable): number[] {
  return [t.down, t.up];
}

function starsUnit(t: RollupTargetsTable): number[] {
  return [t.stars_1, t.stars_2, t.stars_3, t.stars_4, t.stars_5];
}

function figures(units: RollupTargetsTable[]): AgreementFigures {
  return {
    thumbs: krippendorffAlpha(units.map(thumbsUnit), 'nominal'),
    stars: krippendorffAlpha(units.map(starsUnit), 'ordinal'),
  };
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

function numeric(r: RollupTargetsTable): RollupTargetsTable {
  const row = r as unknown as Record<string, unknown>;
  for (const k of Object.keys(row)) if (typeof row[k] === 'string' && /^(n|up|down|stars_.)$/.test(k)) row[k] = Number(row[k]);
  return r;
}

/** Units rated by two or more raters, of every criterion the filters allow. */
async function sharedTargets(db: Kysely<DB>, workspaceId: string, filters: InsightFilters): Promise<RollupTargetsTable[]> {
  if (!rollupsAnswer(filters, ['model', 'criterion'], false)) {
    return (await exactRollups(db, workspaceId, filters)).targets.filter((t) => t.n >= 2);
  }
  let q = withInsightsTables(db).selectFrom('rollup_targets').selectAll().where('workspace_id', '=', workspaceId).where('n', '>=', 2);
  if (filters.criterion) q = q.where('criterion', '=', filters.criterion);
  if (filters.model) q = q.where('model', '=', filters.model);
  return (await q.execute()).map(numeric);
}

function groupsOf<K extends 'model' | 'criterion'>(units: RollupTargetsTable[], key: K): Map<string, RollupTargetsTable[]> {
  const out = new Map<string, RollupTargetsTable[]>();
  for (const u of units) {
    const list = out.get(u[key]);
    if (list) list.push(u);
    else out.set(u[key], [u]);
  }
  return out;
}

export async function agreement(db: Kysely<DB>, workspaceId: string, options: AgreementOptions = {}): Promise<AgreementResult> {
  const { disputedLimit, ...filters } = options;
  const criterion = filters.criterion || DEFAULT_CRITERION;
  const all = await sharedTargets(db, workspaceId, filters);
  const units = all.filter((u) => u.criterion === criterion);

  const byModel = [...groupsOf(units, 'model').entries()]
    .map(([model, list]) => ({ model: model || null, targets: list.length, ...figures(list) }))
    .sort((a, b) => b.targets - a.targets || String(a.model).localeCompare(String(b.model)));
  const byCriterion = [...groupsOf(all, 'criterion').entries()]
    .map(([name, list]) => ({ criterion: name, targets: list.length, ...figures(list) }))
    .sort((a, b) => b.targets - a.targets || a.criterion.localeCompare(b.criterion));

  const disputed = units
    .map((t) => ({ t, d: disagreementOf(t) }))
    .filter((x) => x.d > 0)
    .sort((a, b) => b.d - a.d || b.t.n - a.t.n || a.t.target_key.localeCompare(b.t.target_key))
    .slice(0, disputedLimit ?? 10)
    .map(({ t, d }) => ({
      targetKey: t.target_key,
      criterion: t.criterion,
      model: t.model || null,
      raters: t.n,
      up: t.up,
      down: t.down,
      stars: starsUnit(t),
      disagreement: d,
    }));

  return { criterion, overall: { targets: units.length, ...figures(units) }, byModel, disputed, byCriterion };
}
