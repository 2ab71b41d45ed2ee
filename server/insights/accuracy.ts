/**
 * Accuracy per group (model, and optionally intent, project, site, kind, criterion): thumbs up and
 * down, the share up with its Wilson 95% interval, mean stars. Reads rollup_daily when the filters
 * are rollup dimensions and whole UTC days, so its cost grows with days × groups, never with the
 * number of ratings; other filters count the matching rows exactly (exact.ts).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { sinceDay, untilDay } from './days.ts';
import { exactRollups } from './exact.ts';
import { dimensionFilters, rollupsAnswer, withDefaultCriterion, type InsightFilters } from './filters.ts';
import { DIMENSIONS, type Dimension } from './rollups.ts';
import { withInsightsTables, type RollupDailyTable } from './tables.ts';
import { wilson, type Interval } from './wilson.ts';

/** Below this many thumbs a group is flagged `thin`: its interval is too wide to rank on. */
export const THIN_BELOW = 10;

/**
 * Filters (filters.ts; since/until inclusive/exclusive, whole UTC days read the rollups, any other
 * instant counts rows exactly) and the dimensions to group by. Criterion `overall` unless a
 * `criterion` filter is given or the groups are per criterion.
 */
export interface AccuracyOptions extends InsightFilters {
  /** Dimensions to group by, in order; default ['model']. */
  groupBy?: Dimension[];
}

export interface AccuracyGroup {
  /** The group's value per dimension (null: not set on the ratings). */
  key: Partial<Record<Dimension, string | null>>;
  /** Ratings with a thumb (the interval's n). */
  n: number;
  up: number;
  down: number;
  shareUp: number | null;
  wilson: Interval;
  /** Mean of the star ratings in the group (null without any). */
  meanStars: number | null;
  starsN: number;
  /** Every live rating in the group, with or without a thumb. */
  ratings: number;
  thin: boolean;
}

export interface AccuracyResult {
  groupBy: Dimension[];
  since: string | null;
  until: string | null;
  /** The criterion counted (null: every criterion, grouped by it). */
  criterion: string | null;
  groups: AccuracyGroup[];
}

/** Sums of one group. */
interface GroupSums {
  key: Partial<Record<Dimension, string>>;
  ratings: number;
  up: number;
  down: number;
  stars_n: number;
  stars_sum: number;
}

async function sumsFromRollups(db: Kysely<DB>, workspaceId: string, groupBy: Dimension[], filters: InsightFilters): Promise<GroupSums[]> {
  let q = withInsightsTables(db)
    .selectFrom('rollup_daily')
    .select(groupBy)
    .select((eb) => [
      eb.fn.sum<number>('n').as('ratings'),
      eb.fn.sum<number>('up').as('up'),
      eb.fn.sum<number>('down').as('down'),
      eb.fn.sum<number>('stars_n').as('stars_n'),
      eb.fn.sum<number>('stars_sum').as('stars_sum'),
    ])
    .where('workspace_id', '=', workspaceId);
  if (filters.since) q = q.where('day', '>=', sinceDay(filters.since));
  if (filters.until) q = q.where('day', '<', untilDay(filters.until));
  for (const [d, v] of Object.entries(dimensionFilters(filters))) q = q.where(d as Dimension, '=', v);
  const rows = await q.groupBy(groupBy).having((eb) => eb(eb.fn.sum('n'), '>', 0)).execute();
  return rows.map((r) => {
    const row = r as unknown as Record<string, unknown>;
    return {
      key: Object.fromEntries(groupBy.map((d) => [d, row[d] as string])),
      ratings: Number(row.ratings),
      up: Number(row.up),
      down: Number(row.down),
      stars_n: Number(row.stars_n),
      stars_sum: Number(row.stars_sum),
    };
  });
}

/** The same sums over rollup-shaped rows counted from the records (exact.ts). */
function sumsOf(daily: RollupDailyTable[], groupBy: Dimension[]): GroupSums[] {
  const groups = new Map<string, GroupSums>();
  for (const d of daily) {
    const id = JSON.stringify(groupBy.map((g) => d[g]));
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key: Object.fromEntries(groupBy.map((k) => [k, d[k]])), ratings: 0, up: 0, down: 0, stars_n: 0, stars_sum: 0 }));
    g.ratings += d.n;
    g.up += d.up;
    g.down += d.down;
    g.stars_n += d.stars_n;
    g.stars_sum += d.stars_sum;
  }
  return [...groups.values()].filter((g) => g.ratings > 0);
}

export async function accuracy(db: Kysely<DB>, workspaceId: string, options: AccuracyOptions = {}): Promise<AccuracyResult> {
  const { groupBy: asked, ...given } = options;
  const groupBy = [...new Set(asked?.length ? asked : (['model'] as Dimension[]))];
  for (const d of groupBy) if (!DIMENSIONS.includes(d)) throw new RangeError(`cannot group by ${d}`);
  const filters = withDefaultCriterion(given, groupBy.includes('criterion'));
  const sums = rollupsAnswer(filters, DIMENSIONS, true)
    ? await sumsFromRollups(db, workspaceId, groupBy, filters)
    : sumsOf((await exactRollups(db, workspaceId, filters)).daily, groupBy);

  const groups = sums.map((row): AccuracyGroup => {
    const { up, down } = row;
    const n = up + down;
    const starsN = row.stars_n;
    return {
      key: Object.fromEntries(groupBy.map((d) => [d, row.key[d] || null])),
      n,
      up,
      down,
      shareUp: n ? up / n : null,
      wilson: wilson(up, n),
      meanStars: starsN ? row.stars_sum / starsN : null,
      starsN,
      ratings: row.ratings,
      thin: n < THIN_BELOW,
    };
  });
  // Best first by what we can vouch for: the interval's lower bound, then more evidence.
  groups.sort(
    (a, b) =>
      b.wilson.low - a.wilson.low ||
      b.n - a.n ||
      JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)),
  );
  return { groupBy, since: options.since ?? null, until: options.until ?? null, criterion: filters.criterion ?? null, groups };
}
