/**
 * Projections kept in the same transaction as the feedback writes that cause them (rollups, search
 * index, webhook outbox): each change carries the row before and after a batch.
 *
 * Listeners belong to one opened store, never to the process: openStore attaches the store's
 * projections (store/projections.ts) to its Kysely instance, and every write path that changes
 * feedback (applyMutations, erasure and retention in erase.ts) runs them through the database or
 * transaction it writes with. A process gets them by opening the store, whatever it imports.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB, FeedbackTable } from './schema.ts';

/** The state of one record before and after a batch, for projections kept in the same transaction. */
export interface FeedbackChange {
  before: FeedbackTable | null;
  after: FeedbackTable;
}
export type ChangeListener = (trx: Transaction<DB>, changes: FeedbackChange[]) => Promise<void>;

/**
 * Keyed by the query executor's adapter: a Kysely instance, every instance derived from it
 * (withTables, withSchema, withPlugin) and every transaction it opens share that one object
 * (kysely 0.28: DefaultQueryExecutor hands its adapter on in withPlugin / withConnectionProvider),
 * so a transaction finds the listeners of the store that opened it. A WeakMap: a destroyed store
 * leaves nothing behind.
 */
const listenersByStore = new WeakMap<object, readonly ChangeListener[]>();

function keyOf(db: Kysely<any> | Transaction<any>): object {
  return db.getExecutor().adapter;
}

/** Sets the listeners of the store whose database is `db` (openStore does; a second call replaces them). */
export function attachChangeListeners(db: Kysely<any>, listeners: readonly ChangeListener[]): void {
  listenersByStore.set(keyOf(db), [...listeners]);
}

/** The listeners attached to `db`'s store, or undefined for a database no store was opened on. */
export function changeListenersOf(db: Kysely<any> | Transaction<any>): readonly ChangeListener[] | undefined {
  return listenersByStore.get(keyOf(db));
}

/** A write to a database that no store attached its projections to: it would leave them behind. */
export class NoProjectionsError extends Error {
  override name = 'NoProjectionsError';
  constructor() {
    super(
      'Feedback was written to a database without its projections (rollups, search index, webhook outbox): ' +
        'open it with openStore, or attach them with attachChangeListeners(db, PROJECTIONS).',
    );
  }
}

/**
 * Runs the store's projections for a batch of changes, inside the caller's transaction:
 * applyMutations after every batch, erasure and retention (erase.ts) before they hard-delete rows.
 * Refuses (throws, so the transaction rolls back) when the database has no projections attached.
 */
export async function runChangeListeners(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  if (!changes.length) return;
  const listeners = changeListenersOf(trx);
  if (!listeners) throw new NoProjectionsError();
  for (const listener of listeners) await listener(trx, changes);
}
