/**
 * Rollups are kept per UTC day, so insight windows are whole UTC days. A window [since, until)
 * covers every day it touches: the day of `since`, up to the day holding the last instant before
 * `until` (an `until` at midnight excludes that day).
 */
const DAY_MS = 86_400_000;

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first day to include for a `since` bound (ISO date-time or YYYY-MM-DD). */
export function sinceDay(since: string): string {
  return dayOf(parseBound(since));
}

/** The first day to exclude for an `until` bound (exclusive). */
export function untilDay(until: string): string {
  const t = parseBound(until).getTime();
  return dayOf(new Date(Math.floor((t - 1) / DAY_MS) * DAY_MS + DAY_MS));
}

export function parseBound(value: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${value}`);
  return d;
}

export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Every day from `from` (inclusive) to `to` (exclusive). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d < to; d = addDays(d, 1)) out.push(d);
  return out;
}
