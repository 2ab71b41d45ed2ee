/**
 * Export filters: the filters of every list (shared/filters.ts, ADR 0029) with the window options
 * `days` and `all`. Without any window the export takes the last 7 days (the weekly export); the
 * window is resolved once, and manifests and export runs record the resolved filters.
 */
import { DEFAULT_EXPORT_DAYS, WindowedFilters, resolveFilters as resolveWindow, type ResolvedFilters } from '../../shared/filters.ts';
import { withDefaultSource } from '../insights/filters.ts';

export { DEFAULT_EXPORT_DAYS, type ResolvedFilters };

/** What exports take (the function API, the CLI, the dashboard): filters plus `days` / `all`. */
export const ExportFilterInput = WindowedFilters;
export type ExportFilterInput = WindowedFilters;

/** Checks the filters (a ZodError names what is wrong or conflicting) and makes the window explicit. */
export function resolveFilters(input: ExportFilterInput = {}, now: Date = new Date()): ResolvedFilters {
  return resolveWindow(input, { now, defaultDays: DEFAULT_EXPORT_DAYS });
}

/**
 * Whose ratings an export holds (issue 16; DESIGN, "Where a rating comes from"): training formats
 * learn from people's votes (`sourceType: human`) unless a `sourceType` or `judge` filter asks for a
 * judge's; record formats (jsonl, csv) are the records as stored, every source, like the list (so a
 * jsonl backup restores judges too), unless filtered. Set in the resolved filters, so the manifest
 * and the export run say which sources the file holds.
 */
export function withTrainingSources<F extends ResolvedFilters>(mode: 'records' | 'examples', filters: F): F {
  return mode === 'records' ? filters : withDefaultSource(filters as never) as F;
}
