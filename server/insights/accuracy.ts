/**
 * Accuracy per group (model, and optionally intent, project, site, kind): thumbs up and down,
 * the share up with its Wilson 95% interval, mean stars. Reads rollup_daily only, so its cost
 * grows with days × groups, never with the number of ratings.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { sinceDay, untilDay } from './days.ts';
import { DIMENSIONS, type Dimension } from './rollups.ts';
import { withInsightsTables } from './tables.ts';
import { wilson, type Interval } from './wilson.ts';

/** Below this many thumbs a group is flagged `thin`: its interval is too wide to rank on. */
export const THIN_BELOW = 10;

export interface AccuracyOptions {
  /** Dimensions to group by, in order; default ['model']. */
  groupBy?: Dimension[];
  /** ISO date-time or YYYY-MM-DD; inclusive, rounded to the UTC day. */
  since?: string;
  /** Exclusive; rounded up to cover the day it falls in. */
  until?: string;
  /** Only this model (the stats command uses it). */
  model?: string;
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
  groups: AccuracyGroup[];
}

export async function accuracy(db: Kysely<DB>, workspaceId: string, options: AccuracyOptions = {}): Promise<AccuracyResult> {
  const groupBy = [...new Set(options.groupBy?.length ? options.groupBy : (['model'] as Dimension[]))];
  for (const d of groupBy) if (!DIMENSIONS.includes(d)) throw new RangeError(`cannot group by ${d}`);
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
  if (options.since) q = q.where('day', '>=', sinceDay(options.since));
  if (options.until) q = q.where('day', '<', untilDay(options.until));
  if (options.model !== undefined) q = q.where('model', '=', options.model);
  const rows = await q.groupBy(groupBy).having((eb) => eb(eb.fn.sum('n'), '>', 0)).execute();

  const groups = rows.map((r): AccuracyGroup => {
    const row = r as unknown as Record<string, unknown>;
    const up = Number(row.up);
    const down = Number(row.down);
    const n = up + down;
    const starsN = Number(row.stars_n);
    return {
      key: Object.fromEntries(groupBy.map((d) => [d, (row[d] as string) || null])),
      n,
      up,
      down,
      shareUp: n ? up / n : null,
      wilson: wilson(up, n),
      meanStars: starsN ? Number(row.stars_sum) / starsN : null,
      starsN,
      ratings: Number(row.ratings),
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
  return { groupBy, since: options.since ?? null, until: options.until ?? null, groups };
}
