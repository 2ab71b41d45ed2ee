/**
 * Table types of migration 0040 (webhooks, their outbox and attempt log, workspace settings).
 * Kept beside, not inside, schema.ts: `withGovernance(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  /** JSON array of event names. */
  events: string;
  threshold: number | null;
  /** The HMAC-SHA256 key (a shared secret the receiver also holds, not a login token). */
  secret: string;
  created_at: string;
  created_by: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  workspace_id: string;
  event: string;
  feedback_id: string | null;
  rater_id: string | null;
  /** The exact JSON body that is signed and sent, every attempt. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface WorkspaceSettingsTable {
  workspace_id: string;
  retention_days: number | null;
  redact_program_text: number;
  last_purged_at: string | null;
  updated_at: string;
  updated_by: string | null;
}

// A type alias, not an interface: withTables() needs a type with an implicit index signature.
export type GovernanceTables = {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  workspace_settings: WorkspaceSettingsTable;
};

export type GovDB = DB & GovernanceTables;

export function withGovernance(db: Kysely<DB>): Kysely<GovDB>;
export function withGovernance(db: Transaction<DB>): Transaction<GovDB>;
export function withGovernance(db: Kysely<DB> | Transaction<DB>): Kysely<GovDB> | Transaction<GovDB> {
  return db.withTables<GovernanceTables>();
}
