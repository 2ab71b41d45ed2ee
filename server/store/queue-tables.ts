/**
 * Table types of migration 0200 (review queues, issue 16). Kept beside, not inside, schema.ts:
 * `withQueueTables(db)` adds them to a Kysely handle. JSON columns hold text.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface QueuesTable {
  id: string;
  workspace_id: string;
  name: string;
  /** JSON: the shared filters (FEEDBACK_FILTERS values) the queue was made from, or null. */
  filter: string | null;
  /** JSON: the registered items' keys it was made from, or null. */
  item_keys: string | null;
  reviewers_per_item: number;
  /** 1: reviewers do not see the AI's verdict (an item's prediction, judges' scores) until they submit. */
  blind: number;
  /** JSON list of criteria to rate. */
  criteria: string;
  /** JSON list of rater ids, or null: any rater of the workspace. */
  assignees: string | null;
  due_at: string | null;
  lease_seconds: number;
  created_by: string;
  created_at: string;
  completed_at: string | null;
}

export interface QueueItemsTable {
  queue_id: string;
  workspace_id: string;
  position: number;
  target_key: string;
  /** A registered item (items.id), or null for a target taken from feedback. */
  item_id: string | null;
  /** JSON snapshot of the target as reviewers see it (without the AI's verdict when blind: see server/queues/blind.ts). */
  target: string;
  /** Reviewers who submitted (each reviewer counts once, whatever the number of criteria). */
  reviews: number;
}

export interface QueueClaimsTable {
  queue_id: string;
  workspace_id: string;
  target_key: string;
  rater_id: string;
  claimed_at: string;
  lease_expires_at: string;
  /** Set when the reviewer's rating of every criterion of the queue is in. */
  submitted_at: string | null;
}

export interface QueueAdjudicationsTable {
  queue_id: string;
  workspace_id: string;
  target_key: string;
  criterion: string;
  /** JSON {thumb?, stars?, label?}. */
  rating: string;
  reason: string;
  adjudicated_by: string;
  adjudicated_at: string;
}

export type QueueTables = {
  queues: QueuesTable;
  queue_items: QueueItemsTable;
  queue_claims: QueueClaimsTable;
  queue_adjudications: QueueAdjudicationsTable;
};
export type QueuesDB = DB & QueueTables;

export function withQueueTables(db: Kysely<DB>): Kysely<QueuesDB>;
export function withQueueTables(db: Transaction<DB>): Transaction<QueuesDB>;
export function withQueueTables(db: Kysely<DB> | Transaction<DB>): Kysely<QueuesDB> | Transaction<QueuesDB> {
  return (db as Kysely<DB>).withTables<QueueTables>() as unknown as Kysely<QueuesDB>;
}
