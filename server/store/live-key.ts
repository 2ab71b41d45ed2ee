/**
 * The identity of a live vote: one rater has at most one live record per target key and
 * criterion (DESIGN, "The feedback record"; docs/decisions/0030-criteria.md). A thumbs-up on
 * `overall` and one on `correctness` of the same answer are two live records; a second vote on
 * the same criterion (a second device, a new id) supersedes the first. The partial unique index
 * feedback_live_target (migrations 0120, 0200) holds the same rule in the store.
 */
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';

/** The criterion a record judges: its own, or `overall` when it names none. */
export function criterionOf(record: { criterion?: string | null }): string {
  return record.criterion || DEFAULT_CRITERION;
}

/**
 * A map key for (target key, criterion, judge); JSON, so no part can collide with another. `judge`
 * is '' for a person: a program posting several LLM judges (source.name, migration 0200) with one
 * token keeps one live vote per judge.
 */
export function liveKey(targetKey: string, criterion: string, judge = ''): string {
  return JSON.stringify([targetKey, criterion, judge]);
}

/** The live key of a stored row. */
export function liveKeyOfRow(row: { target_key: string; criterion?: string | null; source_name?: string | null }): string {
  return liveKey(row.target_key, criterionOf(row), row.source_name ?? '');
}
