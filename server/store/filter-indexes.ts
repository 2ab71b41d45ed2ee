/**
 * The indexes that answer the filtered lists (issue 19, item 4): one per column a filter of every
 * list compares by equality or range (shared/feedback-fields.ts, FEEDBACK_FILTERS, the one
 * description of the filters), each `(workspace_id, <column>, created_at, id, …closed columns)` —
 * the workspace scope, the filter, then the list's keyset order (feedback-read.ts), so a filtered
 * page is a walk of one index that stops at the page's end instead of a scan of the workspace's
 * history.
 * `created_at` itself (since / until) is served by feedback_ws_created (migration 0010).
 *
 * Migration 0250 created them (written out there: migrations are frozen); a filter added to the
 * description later needs the next migration to add its index, and filter-indexes.test.ts fails
 * until one does.
 */
import { FEEDBACK_FILTERS } from '../../shared/feedback-fields.ts';

export interface FilterIndex {
  name: string;
  column: string;
  columns: readonly string[];
}

/**
 * Columns whose filters take a closed set of values (`enum`, `boolean`, `int`: kind, thumb, stars,
 * sourceType, channel, hasCorrection), and `deleted`, which every list asks for. They ride at the
 * end of every filter index: short values, so the index stays small, and SQLite tests a filter on
 * them from the index entry before it reads the row (its deferred seek), so a walk that rejects
 * most entries (`model=M&thumb=down` when M has no downs) never touches the table. PostgreSQL
 * combines the indexes instead (BitmapAnd).
 */
const CLOSED = FEEDBACK_FILTERS.filter((f) => f.type === 'enum' || f.type === 'boolean' || f.type === 'int').map((f) => f.column as string);
const TRAILING = [...new Set([...CLOSED, 'deleted'])];

/** One index per filtered column (several parameters can share one: minStars / maxStars), in description order. */
export const FILTER_INDEXES: readonly FilterIndex[] = [...new Set(FEEDBACK_FILTERS.map((f) => f.column as string))]
  .filter((column) => column !== 'created_at')
  .map((column) => ({
    name: `feedback_filter_${column}`,
    column,
    columns: ['workspace_id', column, 'created_at', 'id', ...TRAILING.filter((c) => c !== column)],
  }));
