/**
 * Export filters: a time window (since/until, or the last `days`, 7 by default: the weekly
 * export; `all` for everything) and equality filters on the record's dimensions.
 */
import { z } from 'zod';
import { TargetKind, Thumb } from '../../shared/schemas.ts';

export const DEFAULT_EXPORT_DAYS = 7;

export const ExportFilterInput = z.object({
  since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  until: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  days: z.coerce.number().int().min(1).max(36500).optional(),
  all: z.boolean().optional(),
  model: z.string().min(1).max(256).optional(),
  intent: z.string().min(1).max(256).optional(),
  project: z.string().min(1).max(256).optional(),
  site: z.string().min(1).max(256).optional(),
  kind: TargetKind.optional(),
  minStars: z.coerce.number().int().min(1).max(5).optional(),
  thumb: Thumb.optional(),
});
export type ExportFilterInput = z.infer<typeof ExportFilterInput>;

/** Filters with the window made explicit (ISO UTC), as recorded in manifests and export runs. */
export interface ResolvedFilters {
  since: string | null;
  until: string | null;
  model?: string;
  intent?: string;
  project?: string;
  site?: string;
  kind?: string;
  minStars?: number;
  thumb?: 'up' | 'down';
}

function iso(value: string): string {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value).toISOString();
}

export function resolveFilters(input: ExportFilterInput = {}, now: Date = new Date()): ResolvedFilters {
  const f = ExportFilterInput.parse(input);
  const since = f.since ? iso(f.since) : f.all ? null : new Date(now.getTime() - (f.days ?? DEFAULT_EXPORT_DAYS) * 86_400_000).toISOString();
  const out: ResolvedFilters = { since, until: f.until ? iso(f.until) : null };
  for (const k of ['model', 'intent', 'project', 'site', 'kind', 'minStars', 'thumb'] as const) {
    if (f[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = f[k];
  }
  return out;
}
