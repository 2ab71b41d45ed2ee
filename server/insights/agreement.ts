/**
 * Agreement between raters on targets that two or more of them rated: percent agreement and
 * Krippendorff's alpha, nominal for thumbs and ordinal for stars, overall and per model, plus the
 * most disputed targets. Reads rollup_targets (votes per target) only: the coincidence matrix
 * needs nothing more than each unit's value counts. All time (targets are not kept per day).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { krippendorffAlpha, type AlphaResult } from './krippendorff.ts';
import { withInsightsTables, type RollupTargetsTable } from './tables.ts';

export interface AgreementOptions {
  /** Only this model. */
  model?: string;
  /** How many disputed targets to list (default 10). */
  disputedLimit?: number;
}

export interface AgreementFigures {
  thumbs: AlphaResult;
  stars: AlphaResult;
}

export interface DisputedTarget {
  targetKey: string;
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
  overall: AgreementFigures & { targets: number };
  byModel: (AgreementFigures & { model: string | null; targets: number })[];
  disputed: DisputedTarget[];
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

export async function agreement(db: Kysely<DB>, workspaceId: string, options: AgreementOptions = {}): Promise<AgreementResult> {
  let q = withInsightsTables(db)
    .selectFrom('rollup_targets')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('n', '>=', 2);
  if (options.model !== undefined) q = q.where('model', '=', options.model);
  const units = (await q.execute()).map((r) => {
    const row = r as unknown as Record<string, unknown>;
    for (const k of Object.keys(row)) if (typeof row[k] === 'string' && /^(n|up|down|stars_.)$/.test(k)) row[k] = Number(row[k]);
    return r;
  });

  const models = new Map<string, RollupTargetsTable[]>();
  for (const u of units) {
    const list = models.get(u.model);
    if (list) list.push(u);
    else models.set(u.model, [u]);
  }
  const byModel = [...models.entries()]
    .map(([model, list]) => ({ model: model || null, targets: list.length, ...figures(list) }))
    .sort((a, b) => b.targets - a.targets || String(a.model).localeCompare(String(b.model)));

  const disputed = units
    .map((t) => ({ t, d: disagreementOf(t) }))
    .filter((x) => x.d > 0)
    .sort((a, b) => b.d - a.d || b.t.n - a.t.n || a.t.target_key.localeCompare(b.t.target_key))
    .slice(0, options.disputedLimit ?? 10)
    .map(({ t, d }) => ({
      targetKey: t.target_key,
      model: t.model || null,
      raters: t.n,
      up: t.up,
      down: t.down,
      stars: starsUnit(t),
      disagreement: d,
    }));

  return { overall: { targets: units.length, ...figures(units) }, byModel, disputed };
}
