/**
 * Which records a figure counts, and whether the rollups can answer it. The rollups are kept per
 * UTC day and DIMENSIONS (model, intent, project, site, kind, criterion): a figure whose filters are
 * all among those — and whose since/until fall on UTC midnights — is read from them; any other
 * filter (subject, conversationId, rater, thumb, stars, label, hasCorrection, a bound inside a day)
 * is counted exactly from the live rows (exact.ts), never approximated. docs/decisions/0030-criteria.md.
 *
 * Criterion: a figure counts the ratings of criterion `overall` unless a `criterion` filter names
 * another, or the figure is broken down by criterion (groupBy=criterion, agreement's byCriterion).
 *
 * Source (issue 16; DESIGN, "Where a rating comes from"): a figure counts people's ratings
 * (`sourceType` human) unless a `sourceType` or `judge` filter asks for others. The rollups hold
 * people only (rollups.ts, Contribution.human), so `sourceType=human` is one they answer; a judge's
 * figures, and any `channel`, are counted from the rows, with the same default.
 */
import type { FilterValues } from '../../shared/filters.ts';
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';
import { DIMENSIONS, type Dimension } from './rollups.ts';

/**
 * The filters of every list (issue 12, item 1), as shared/filters.ts defines them once: since
 * (inclusive) and until (exclusive) as ISO date-times or dates, the dimensions, criterion, subject,
 * conversationId, rater, thumb, minStars, maxStars, label, hasCorrection.
 */
export type InsightFilters = FilterValues;

export type InsightFilterName = keyof InsightFilters;

const WINDOW = ['since', 'until'] as const;

/** The filters that are set (undefined values and empty strings count as absent). */
export function setFilters(filters: InsightFilters): InsightFilterName[] {
  return (Object.keys(filters) as InsightFilterName[]).filter((k) => filters[k] !== undefined && filters[k] !== '');
}

/** A bound the daily rollups hold exactly: a date, or an instant at a UTC midnight. */
export function onDayBoundary(bound: string): boolean {
  if (/^\d{4}-\d{2}-\d{2}$/.test(bound)) return true;
  const t = Date.parse(bound);
  return Number.isFinite(t) && t % 86_400_000 === 0;
}

/**
 * Whether the rollups answer a figure with these filters: each set filter is one of `dimensions`
 * (the ones the rollup read can filter on) or a day-aligned since/until when `days` is true.
 */
export function rollupsAnswer(filters: InsightFilters, dimensions: readonly Dimension[], days: boolean): boolean {
  return setFilters(filters).every((k) => {
    if ((WINDOW as readonly string[]).includes(k)) return days && onDayBoundary(filters[k] as string);
    // The rollups are people's ratings: what `sourceType=human` (the default) asks for.
    if (k === 'sourceType') return filters.sourceType === 'human';
    return (dimensions as readonly string[]).includes(k);
  });
}

/** The filters with the default criterion (`overall`) unless one is named or the figure is per criterion. */
export function withDefaultCriterion(filters: InsightFilters, perCriterion = false): InsightFilters {
  if (perCriterion || (filters.criterion !== undefined && filters.criterion !== '')) return filters;
  return { ...filters, criterion: DEFAULT_CRITERION };
}

/** Whether the filters ask about a source themselves (`sourceType` or `judge`); else figures count people. */
export function asksForSource(filters: InsightFilters): boolean {
  return (filters.sourceType !== undefined && (filters.sourceType as string) !== '') || (filters.judge !== undefined && filters.judge !== '');
}

/** The filters with `sourceType: human` unless they ask about a source themselves. */
export function withDefaultSource<F extends InsightFilters>(filters: F): F {
  return asksForSource(filters) ? filters : { ...filters, sourceType: 'human' };
}

/** The dimension filters that are set, as rollup column → value. */
export function dimensionFilters(filters: InsightFilters): Partial<Record<Dimension, string>> {
  const out: Partial<Record<Dimension, string>> = {};
  for (const d of DIMENSIONS) {
    const v = filters[d];
    if (v !== undefined && v !== '') out[d] = v;
  }
  return out;
}
