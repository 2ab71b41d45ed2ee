/**
 * The trace_events table with the columns of migration 0170 (actor_id, actor_type) on top of
 * 0030's (items-tables.ts). `withTraceTables(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ItemsDB, TraceEventsTable } from './items-tables.ts';
import type { DB } from './schema.ts';

export interface TraceEventRow extends TraceEventsTable {
  /** Who caused the event (001's actor_id); null when the sender named nobody. */
  actor_id: string | null;
  /** `user` | `system`, or null. */
  actor_type: string | null;
}

// A type alias, not an interface: withTables<T> needs T to have an implicit index signature.
export type TraceTables = { trace_events: TraceEventRow };
export type TraceDB = Omit<ItemsDB, 'trace_events'> & TraceTables;

export function withTraceTables(db: Kysely<DB>): Kysely<TraceDB>;
export function withTraceTables(db: Transaction<DB>): Transaction<TraceDB>;
export function withTraceTables(db: Kysely<DB> | Transaction<DB>): Kysely<TraceDB> | Transaction<TraceDB> {
  return db.withTables<TraceTables & Omit<ItemsDB, keyof DB | 'trace_events'>>() as unknown as Kysely<TraceDB>;
}
