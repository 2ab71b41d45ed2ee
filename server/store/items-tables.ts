/**
 * Table types of migration 0030 (items for review, investigation traces) and 0150 (item columns). Kept beside, not inside,
 * schema.ts: `withItemTables(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface ItemsTable {
  id: string;
  workspace_id: string;
  external_key: string;
  target_key: string;
  kind: string;
  subject: string | null;
  model: string | null;
  intent: string | null;
  project: string | null;
  /** context.task_id (migration 0150). */
  task_id: string | null;
  /** prediction.category (migration 0150). */
  category: string | null;
  /** 1: it carries an output or a predicted field (state ready); 0: awaiting analysis (migration 0150). */
  has_analysis: number;
  /** ItemInput JSON, after redaction. */
  body: string;
  /** SHA-256 of the canonical body: tells a replay from a change. */
  content_hash: string;
  /** The createdAt the program sent (ISO UTC), else the arrival time. */
  created_at: string;
  updated_at: string;
  /** Who last sent it. */
  rater_id: string;
  token_id: string | null;
}

export interface TraceEventsTable {
  id: string;
  /** Arrival order (monotonic sortable string). */
  seq: string;
  workspace_id: string;
  type: string;
  investigation_id: string;
  subject: string | null;
  /** JSON object, after redaction. */
  data: string;
  at: string;
  received_at: string;
  rater_id: string;
  token_id: string | null;
}

// A type alias, not an interface: withTables<T> needs T to have an implicit index signature.
export type ItemTables = {
  items: ItemsTable;
  trace_events: TraceEventsTable;
};

export type ItemsDB = DB & ItemTables;

export function withItemTables(db: Kysely<DB>): Kysely<ItemsDB>;
export function withItemTables(db: Transaction<DB>): Transaction<ItemsDB>;
export function withItemTables(db: Kysely<DB> | Transaction<DB>): Kysely<ItemsDB> | Transaction<ItemsDB> {
  return db.withTables<ItemTables>();
}
