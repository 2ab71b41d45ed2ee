/**
 * The workspace at a glance for the last N days, next to the N days before: totals, thumbs and
 * stars distribution, unique raters and conversations, mean latency_ms and tokens_used (from
 * target.context), and a per-day series. Criterion `overall` unless a `criterion` filter names
 * another. Reads the rollups when no other filter is given; any other filter (model, subject, …)
 * counts the matching rows exactly (exact.ts), distinct raters and conversations included.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { addDays, dayOf, daysBetween } from './days.ts';
import { distinctInWindow } from './distinct.ts';
import { exactRollups } from './exact.ts';
import { rollupsAnswer, withDefaultCriterion, type InsightFilters } from './filters.ts';
import { withInsightsTables, type RollupDailyTable, type RollupMembersTable } from './tables.ts';

/** The window is `days`; the other filters of a list narrow it (since/until are the window's own). */
export interface StatsOptions extends Omit<InsightFilters, 'since' | 'until'> {
  /** Window length in days, ending today (UTC) inclusive. */
  days: number;
  /** "Today"; tests pin it. */
  now?: Date;
}

export interface WindowFigures {
  since: string;
  /** Exclusive. */
  until: string;
  ratings: number;
  up: number;
  down: number;
  shareUp: number | null;
  /** Counts of 1 to 5 stars. */
  stars: { 1: number; 2: number; 3: number; 4: number; 5: number };
  meanStars: number | null;
  raters: number;
  conversations: number;
  meanLatencyMs: number | null;
  meanTokensUsed: number | null;
}

export interface DayFigures {
  day: string;
  ratings: number;
  up: number;
  down: number;
  meanStars: number | null;
}

export interface StatsResult {
  days: number;
  /** The criterion counted. */
  criterion: string;
  current: WindowFigures;
  previous: WindowFigures;
  /** One entry per day of the current window, oldest first, zeros included. */
  series: DayFigures[];
}

const SUMMED = [
  'n', 'up', 'down', 'stars_n', 'stars_sum', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5',
  'latency_n', 'latency_sum', 'tokens_n', 'tokens_sum',
] as const;
type Sums = Record<(typeof SUMMED)[number], number>;

function emptySums(): Sums {
  return Object.fromEntries(SUMMED.map((k) => [k, 0])) as Sums;
}

function addInto(into: Sums, from: Sums): void {
  for (const k of SUMMED) into[k] += from[k];
}

function figures(s: Sums, since: string, until: string, raters: number, conversations: number): WindowFigures {
  const thumbs = s.up + s.down;
  return {
    since,
    until,
    ratings: s.n,
    up: s.up,
    down: s.down,
    shareUp: thumbs ? s.up / thumbs : null,
    stars: { 1: s.stars_1, 2: s.stars_2, 3: s.stars_3, 4: s.stars_4, 5: s.stars_5 },
    meanStars: s.stars_n ? s.stars_sum / s.stars_n : null,
    raters,
    conversations,
    meanLatencyMs: s.latency_n ? s.latency_sum / s.latency_n : null,
    meanTokensUsed: s.tokens_n ? s.tokens_sum / s.tokens_n : null,
  };
}

/** Sums per day and distinct members per window, from the rollups or counted from rows. */
interface Source {
  byDay: Map<string, Sums>;
  distinct(facet: 'rater' | 'conversation', since: string, until: string): Promise<number>;
}

function sumsOfRow(r: Record<string, unknown>): Sums {
  return Object.fromEntries(SUMMED.map((k) => [k, Number(r[k] ?? 0)])) as Sums;
}

async function fromRollups(db: Kysely<DB>, workspaceId: string, criterion: string, since: string, until: string): Promise<Source> {
  const rows = await withInsightsTables(db)
    .selectFrom('rollup_daily')
    .select('day')
    .select((eb) => SUMMED.map((c) => eb.fn.sum<number>(c).as(c)))
    .where('workspace_id', '=', workspaceId)
    .where('criterion', '=', criterion)
    .where('day', '>=', since)
    .where('day', '<', until)
    .groupBy('day')
    .execute();
  return {
    byDay: new Map(rows.map((r) => [r.day, sumsOfRow(r as Record<string, unknown>)])),
    distinct: (facet, from, to) => distinctInWindow(db, workspaceId, criterion, facet, from, to),
  };
}

function fromRows(daily: RollupDailyTable[], members: RollupMembersTable[]): Source {
  const byDay = new Map<string, Sums>();
  for (const d of daily) {
    let sums = byDay.get(d.day);
    if (!sums) byDay.set(d.day, (sums = emptySums()));
    addInto(sums, sumsOfRow(d as unknown as Record<string, unknown>));
  }
  return {
    byDay,
    distinct: async (facet, from, to) =>
      new Set(members.filter((m) => m.facet === facet && m.day >= from && m.day < to && m.n > 0).map((m) => m.value)).size,
  };
}

export async function stats(db: Kysely<DB>, workspaceId: string, options: StatsOptions): Promise<StatsResult> {
  const { days: asked, now, ...given } = options;
  const window = given as InsightFilters;
  if (window.since !== undefined || window.until !== undefined) throw new RangeError('stats takes a window of `days`, not since/until');
  const days = Math.max(1, Math.floor(asked));
  const until = addDays(dayOf(now ?? new Date()), 1);
  const since = addDays(until, -days);
  const prevSince = addDays(since, -days);
  const filters = withDefaultCriterion(given);
  const source = rollupsAnswer(filters, ['criterion'], false)
    ? await fromRollups(db, workspaceId, filters.criterion!, prevSince, until)
    : await exactRollups(db, workspaceId, { ...filters, since: prevSince, until }).then((r) => fromRows(r.daily, r.members));

  const byDay = source.byDay;
  const current = emptySums();
  const previous = emptySums();
  for (const [day, sums] of byDay) addInto(day >= since ? current : previous, sums);
  const [raters, conversations, prevRaters, prevConversations] = await Promise.all([
    source.distinct('rater', since, until),
    source.distinct('conversation', since, until),
    source.distinct('rater', prevSince, since),
    source.distinct('conversation', prevSince, since),
  ]);
  const series = daysBetween(since, until).map((day): DayFigures => {
    const s = byDay.get(day) ?? emptySums();
    return { day, ratings: s.n, up: s.up, down: s.down, meanStars: s.stars_n ? s.stars_sum / s.stars_n : null };
  });
  return {
    days,
    criterion: filters.criterion!,
    current: figures(current, since, until, raters, conversations),
    previous: figures(previous, prevSince, since, prevRaters, prevConversations),
    series,
  };
}
