/**
 * The workspace at a glance for the last N days, next to the N days before: totals, thumbs and
 * stars distribution, unique raters and conversations, mean latency_ms and tokens_used (from
 * target.context), and a per-day series. Reads the rollups only.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { addDays, dayOf, daysBetween } from './days.ts';
import { withInsightsTables } from './tables.ts';

export interface StatsOptions {
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

async function distinctMembers(db: Kysely<DB>, workspaceId: string, facet: 'rater' | 'conversation', since: string, until: string) {
  const row = await withInsightsTables(db)
    .selectFrom('rollup_members')
    .select((eb) => eb.fn.count<number>('value').distinct().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('facet', '=', facet)
    .where('day', '>=', since)
    .where('day', '<', until)
    .where('n', '>', 0)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
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

export async function stats(db: Kysely<DB>, workspaceId: string, options: StatsOptions): Promise<StatsResult> {
  const days = Math.max(1, Math.floor(options.days));
  const until = addDays(dayOf(options.now ?? new Date()), 1);
  const since = addDays(until, -days);
  const prevSince = addDays(since, -days);

  const rows = await withInsightsTables(db)
    .selectFrom('rollup_daily')
    .select('day')
    .select((eb) => SUMMED.map((c) => eb.fn.sum<number>(c).as(c)))
    .where('workspace_id', '=', workspaceId)
    .where('day', '>=', prevSince)
    .where('day', '<', until)
    .groupBy('day')
    .execute();

  const byDay = new Map<string, Sums>();
  const current = emptySums();
  const previous = emptySums();
  for (const r of rows) {
    const sums = Object.fromEntries(SUMMED.map((k) => [k, Number((r as Record<string, unknown>)[k] ?? 0)])) as Sums;
    byDay.set(r.day, sums);
    addInto(r.day >= since ? current : previous, sums);
  }
  const [raters, conversations, prevRaters, prevConversations] = await Promise.all([
    distinctMembers(db, workspaceId, 'rater', since, until),
    distinctMembers(db, workspaceId, 'conversation', since, until),
    distinctMembers(db, workspaceId, 'rater', prevSince, since),
    distinctMembers(db, workspaceId, 'conversation', prevSince, since),
  ]);
  const series = daysBetween(since, until).map((day): DayFigures => {
    const s = byDay.get(day) ?? emptySums();
    return { day, ratings: s.n, up: s.up, down: s.down, meanStars: s.stars_n ? s.stars_sum / s.stars_n : null };
  });
  return {
    days,
    current: figures(current, since, until, raters, conversations),
    previous: figures(previous, prevSince, since, prevRaters, prevConversations),
    series,
  };
}
