/**
 * The parsed record of a row this process just built from it (store/feedback.ts, rowFromRecord),
 * so that the projections of the same write (the rollups' contributions) do not parse the JSON the
 * write serialized a moment before. Keyed by the row object: a row read from the database, or a
 * tombstone built from a row, has no entry and is parsed. The record is the one whose
 * serialization is the row's `record`, and nothing changes either after the row is built.
 */
import type { FeedbackTable } from './schema.ts';

const records = new WeakMap<FeedbackTable, unknown>();

export function rememberRecord(row: FeedbackTable, record: unknown): void {
  records.set(row, record);
}

/** The row's record: the one it was built from, else its stored JSON parsed; undefined if that is unreadable. */
export function recordOfRow(row: FeedbackTable): unknown {
  if (records.has(row)) return records.get(row);
  if (!row.record) return undefined;
  try {
    return JSON.parse(row.record);
  } catch {
    return undefined;
  }
}
