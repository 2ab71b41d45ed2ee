/**
 * The outbox's pure row logic (no Dexie, no zod): how a row is stamped, shown and sent. Shared by
 * the extension's Dexie outbox (outbox.ts) and the embed's plain-IndexedDB outbox (embed/outbox.ts),
 * so both follow one state machine; the embed bundle must stay small (docs/decisions/0048).
 */
import { LIMITS } from '../../shared/limits.ts';
import type { Mutation } from '../../shared/schemas.ts';
import type { TargetStatus } from '../messages.ts';
import type { OutboxRow } from './rows.ts';

/**
 * How far ahead of the corrected clock an earlier stamp of a row is still followed, once the clock
 * has been corrected against the server's: as far as the server lets a time be ahead (its default
 * MAX_CLOCK_SKEW_SECONDS). A stamp further ahead came from a wrong clock; following it would keep
 * the row in the future, so the next stamp restarts from the corrected clock, and the server lets
 * it win (docs/decisions/0026). Before any correction this device's clock may be the one behind,
 * so an earlier stamp is always followed.
 */
const FOLLOW_AHEAD_MS = LIMITS.clockSkewSeconds * 1000;
/** 9999-12-31T23:59:59.999Z: one millisecond later has no ISO 8601 form the schemas accept. */
const LAST_STAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `now`, or just after `previous` when that one is later (and, on a corrected clock, not far ahead). */
export function stampAfter(now: number, previous: string | undefined, corrected: boolean): number {
  const next = previous === undefined ? NaN : Date.parse(previous) + 1;
  if (!(next > now) || next > LAST_STAMP_MS) return now;
  return corrected && next - now > FOLLOW_AHEAD_MS ? now : next;
}

/** How a widget shows a row. An undone vote shows as no vote at once, even before the server knows. */
export function statusOf(row: OutboxRow | undefined, key: string): TargetStatus {
  if (!row) return { key, state: 'none' };
  if (row.op === 'delete') {
    return row.state === 'rejected' ? { key, state: 'rejected', error: row.error } : { key, state: 'none' };
  }
  const fb = row.feedback;
  return {
    key,
    state: row.state,
    ...(row.error ? { error: row.error } : {}),
    ...(fb ? { rating: fb.rating } : {}),
    ...(fb?.comment !== undefined ? { comment: fb.comment } : {}),
    ...(fb?.correction !== undefined ? { correction: fb.correction } : {}),
  };
}

export function mutationOf(row: OutboxRow): Mutation {
  if (row.op === 'delete') return { id: row.feedbackId, op: 'delete', updatedAt: row.updatedAt };
  return { id: row.feedbackId, op: 'upsert', updatedAt: row.updatedAt, feedback: row.feedback! };
}

