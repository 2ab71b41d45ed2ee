/**
 * Agreement between raters on targets that two or more of them rated: percent agreement and
 * Krippendorff's alpha, nominal for thumbs and ordinal for stars, overall and per model, plus the
 * most disputed targets. A unit is a target *and criterion*: raters agree or disagree on a
 * target's correctness apart from its helpfulness. `overall`, `byModel` and `disputed` are for one
 * criterion (`overall` unless a `criterion` filter names another); `byCriterion` gives every
 * criterion's figures (only the named one with a `criterion` filter).
 *
 * Reads rollup_agreement (Krippendorff tallies per criterion and model, agreement-rollup.ts) and
 * the disputed index of rollup_targets when the only filters are model and criterion, all time
 * (targets are not kept per day): its cost does not grow with the targets (issue 19). Any other
 * filter (a window, intent, subject, …) counts the matching rows exactly (exact.ts), through the
 * same tallies. Ties in the disputed list are broken by target key in byte order.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';
import { exactRollups } from './exact.ts';
import { rollupsAnswer, type InsightFilters } from './filters.ts';
import { alphaOf, type AlphaResult } from './krippendorff.ts';
import { addTallies, disagreementOf, emptyTallies, readTallies, starsUnit, tallyTarget, talliesOf, type Tallies, type TalliesByCriterion } from './agreement-rollup.ts';
import { isPostgres } from '../store/postgres.ts';
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

export { disagreementOf };

function figures(t: Tallies): AgreementFigures {
  return { thumbs: alphaOf(t.thumbs, 'nominal'), stars: alphaOf(t.stars, 'ordinal') };
}

function numeric(r: RollupTargetsTable): RollupTargetsTable {
  const row = r as unknown as Record<string, unknown>;
  for (const k of Object.keys(row)) if (typeof row[k] === 'string' && /^(n|up|down|stars_.|disagreement)$/.test(k)) row[k] = Number(row[k]);
  return r;
}

/** Byte order of target keys, as the index orders them (collate "C" on PostgreSQL). */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Shared {
  tallies: TalliesByCriterion;
  disputed(criterion: string, limit: number): Promise<RollupTargetsTable[]>;
}

/** Tallies and the most disputed units of the rows a filter matches, counted exactly (exact.ts). */
async function fromRows(db: Kysely<DB>, workspaceId: string, filters: InsightFilters): Promise<Shared> {
  const units = (await exactRollups(db, workspaceId, filters)).targets.filter((t) => t.n >= 2);
  const tallies: TalliesByCriterion = new Map();
  for (const u of units) tallyTarget(talliesOf(tallies, u.criterion, u.model), u);
  return {
    tallies,
    disputed: async (criterion, limit) =>
      units
        .filter((u) => u.criterion === criterion)
        .map((u) => ({ ...u, disagreement: disagreementOf(u) }))
        .filter((u) => u.disagreement > 0)
        .sort((a, b) => b.disagreement - a.disagreement || b.n - a.n || byBytes(a.target_key, b.target_key))
        .slice(0, limit),
  };
}

/** The same from rollup_agreement and the disputed index of rollup_targets (migration 0240). */
async function fromRollups(db: Kysely<DB>, workspaceId: string, filters: InsightFilters): Promise<Shared> {
  const pg = isPostgres(db);
  return {
    tallies: await readTallies(db, workspaceId, filters),
    disputed: async (criterion, limit) => {
      let q = withInsightsTables(db)
        .selectFrom('rollup_targets')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('criterion', '=', criterion)
        .where('disagreement', '>', 0);
      if (filters.model) q = q.where('model', '=', filters.model);
      const rows = await q
        .orderBy('disagreement', 'desc')
        .orderBy('n', 'desc')
        .orderBy(pg ? sql`target_key collate "C"` : sql`target_key`)
        .limit(limit)
        .execute();
      return rows.map(numeric);
    },
  };
}

function sumOf(list: Iterable<Tallies>): Tallies {
  const out = emptyTallies();
  for (const t of list) addTallies(out, t);
  return out;
}

export async function agreement(db: Kysely<DB>, workspaceId: string, options: AgreementOptions = {}): Promise<AgreementResult> {
  const { disputedLimit, ...filters } = options;
  const criterion = filters.criterion || DEFAULT_CRITERION;
  const shared = rollupsAnswer(filters, ['model', 'criterion'], false) ? await fromRollups(db, workspaceId, filters) : await fromRows(db, workspaceId, filters);
  const ofCriterion = shared.tallies.get(criterion) ?? new Map<string, Tallies>();
  const overall = sumOf(ofCriterion.values());

  const byModel = [...ofCriterion.entries()]
    .filter(([, t]) => t.targets > 0)
    .map(([model, t]) => ({ model: model || null, targets: t.targets, ...figures(t) }))
    .sort((a, b) => b.targets - a.targets || String(a.model).localeCompare(String(b.model)));
  const byCriterion = [...shared.tallies.entries()]
    .map(([name, byM]) => ({ name, t: sumOf(byM.values()) }))
    .filter(({ t }) => t.targets > 0)
    .map(({ name, t }) => ({ criterion: name, targets: t.targets, ...figures(t) }))
    .sort((a, b) => b.targets - a.targets || a.criterion.localeCompare(b.criterion));

  const disputed = (await shared.disputed(criterion, disputedLimit ?? 10)).map((t) => ({
    targetKey: t.target_key,
    criterion: t.criterion,
    model: t.model || null,
    raters: t.n,
    up: t.up,
    down: t.down,
    stars: starsUnit(t),
    disagreement: t.disagreement,
  }));

  return { criterion, overall: { targets: overall.targets, ...figures(overall) }, byModel, disputed, byCriterion };
}
