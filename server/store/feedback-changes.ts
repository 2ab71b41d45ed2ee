/**
 * Projections kept in the same transaction as the feedback writes that cause them (rollups, search
 * index, webhook outbox): each change carries the row before and after a batch.
 */
import type { Transaction } from 'kysely';
import type { DB, FeedbackTable } from './schema.ts';

/** The state of one record before and after a batch, for projections kept in the same transaction. */
export interface FeedbackChange {
  before: FeedbackTable | null;
  after: FeedbackTable;
}
export type ChangeListener = (trx: Transaction<DB>, changes: FeedbackChange[]) => Promise<void>;

const changeListeners: ChangeListener[] = [];
/** Projections (rollups, search indexes, webhooks outbox) register here; they run inside the batch's transaction. */
export function onFeedbackChanges(listener: ChangeListener): () => void {
  changeListeners.push(listener);
  return () => {
    const i = changeListeners.indexOf(listener);
    if (i >= 0) changeListeners.splice(i, 1);
  };
}

/**
 * Runs the registered projections for changes made outside applyMutations (erasure and retention
 * in erase.ts hard-delete rows), inside the caller's transaction, so rollups and indexes follow.
 */
export async function runChangeListeners(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  if (!changes.length) return;
  for (const listener of changeListeners) await listener(trx, changes);
}
