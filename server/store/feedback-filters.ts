/**
 * The one place filters become SQL (ADR 0029): every reader of feedback — the list
 * (feedback-read.ts), exports (exports/stream.ts), the dashboard's browser and the exact insights
 * (insights/exact.ts) — narrows its query with `applyFeedbackFilters`. Each parameter's column and
 * operator come from the field description (shared/feedback-fields.ts), so a filterable field added
 * there is applied here without a line changing.
 */
import { sql } from 'kysely';
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
  /**
   * Lists in time order (feedback-read.ts): a range on a number (`minStars` / `maxStars`) is tested
   * on the index entry the walk is on (`+stars` keeps SQLite from taking the stars index, then
   * sorting every match to find the newest), and a range of one value is an equality, which walks
   * its index in order (server/store/filter-indexes.ts).
   */
  timeOrdered?: boolean;
  /**
   * SQLite, with `timeOrdered`: when a filter on an open column (a string: model, rater, …) is set,
   * the filters on closed columns (enum, boolean) are tested on its index's entries, where they
   * ride (filter-indexes.ts), rather than walked themselves: SQLite's planner does not count the
   * reads its deferred seek saves and would take `stars=2` (a few thousand rows, each read from the
   * table) over `model=M` (more entries, none read). `col || ''` and `col + 0` keep a column's own
   * index out of the plan without changing the comparison.
   */
  closedOnEntries?: boolean;
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
  const set = (p: string) => filters[p as FilterParam] !== undefined && filters[p as FilterParam] !== null && filters[p as FilterParam] !== '';
  const onEntries = at.timeOrdered && at.closedOnEntries && [...FILTER_DEFS.values()].some((d) => d.type === 'string' && set(d.param));
  for (const [param, raw] of Object.entries(filters)) {
    if (raw === undefined || raw === null || raw === '') continue;
    const def = FILTER_DEFS.get(param as FilterParam);
    if (!def) continue; // paging and page options travel beside the filters
    const column = at.columns?.[def.column] ?? (at.alias ? `${at.alias}.${def.column}` : def.column);
    const value = def.type === 'datetime' ? isoBound(raw) : raw;
    if (at.timeOrdered && def.type === 'int' && (def.op === 'min' || def.op === 'max')) {
      const other = [...FILTER_DEFS.values()].find((d) => d.column === def.column && d.op === (def.op === 'min' ? 'max' : 'min'));
      const otherValue = other ? filters[other.param as FilterParam] : undefined;
      if (otherValue !== undefined && otherValue !== null && otherValue !== '' && Number(otherValue) === Number(value)) {
        if (def.op === 'min') out = out.where(onEntries ? sql`(${sql.ref(column)} + 0)` : column, '=', value); // the max adds nothing
        continue;
      }
      out = out.where(sql`+${sql.ref(column)}`, def.op === 'min' ? '>=' : '<=', value);
      continue;
    }
    if (onEntries && (def.type === 'enum' || def.type === 'boolean')) {
      const unindexed = def.type === 'boolean' ? sql`(${sql.ref(column)} + 0)` : sql`(${sql.ref(column)} || '')`;
      out = out.where(unindexed, '=', def.type === 'boolean' ? (value === true || value === 'true' || value === '1' || value === 1 ? 1 : 0) : value);
      continue;
    }
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
