/**
 * The one place filters become SQL (ADR 0029): every reader of feedback — the list
 * (feedback-read.ts), exports (exports/stream.ts), the dashboard's browser and the exact insights
 * (insights/exact.ts) — narrows its query with `applyFeedbackFilters`. Each parameter's column and
 * operator come from the field description (shared/feedback-fields.ts), so a filterable field added
 * there is applied here without a line changing.
 */
import { FILTER_DEFS, type FilterParam, type FilterValues } from '../../shared/filters.ts';

/** Any Kysely query builder with a WHERE (select, update, delete). */
export interface Filterable {
  where(column: any, op: any, value: any): any;
}

export interface FilterColumns {
  /** Table alias the feedback columns are qualified with (`f` → `f.model`). */
  alias?: string;
  /** A column read from elsewhere, e.g. `{ created_at: 'e.created_at' }` for the export projection. */
  columns?: Partial<Record<string, string>>;
}

/** ISO UTC of a bound (YYYY-MM-DD: its midnight): created_at is compared as stored. */
function isoBound(value: unknown): string {
  const text = String(value);
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text).toISOString();
}

/**
 * Adds a WHERE per filter that is set (undefined, null and '' are absent). Values are expected
 * checked (FeedbackFilters); bounds given as dates are read as their midnight UTC.
 */
export function applyFeedbackFilters<Q extends Filterable>(q: Q, filters: Partial<Record<FilterParam, unknown>>, at: FilterColumns = {}): Q {
  let out: Filterable = q;
  for (const [param, raw] of Object.entries(filters)) {
    if (raw === undefined || raw === null || raw === '') continue;
    const def = FILTER_DEFS.get(param as FilterParam);
    if (!def) continue; // paging and page options travel beside the filters
    const column = at.columns?.[def.column] ?? (at.alias ? `${at.alias}.${def.column}` : def.column);
    const value = def.type === 'datetime' ? isoBound(raw) : raw;
    switch (def.op) {
      case 'eq':
        out = out.where(column, '=', value);
        break;
      case 'min':
        out = out.where(column, '>=', value);
        break;
      case 'max':
        out = out.where(column, '<=', value);
        break;
      case 'before':
        out = out.where(column, '<', value);
        break;
      case 'boolean':
        out = out.where(column, '=', value === true || value === 'true' || value === '1' || value === 1 ? 1 : 0);
        break;
    }
  }
  return out as Q;
}

export type { FilterValues };
