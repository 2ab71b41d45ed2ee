/** Kysely table types. Timestamps are ISO 8601 UTC strings (`toISOString()`), in both backends. */
import type { Generated } from 'kysely';
import type { FeedbackRow } from '../../shared/feedback-fields.ts';

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: string;
}

export interface TokensTable {
  id: string;
  workspace_id: string;
  rater_id: string;
  name: string;
  role: 'rater' | 'analyst' | 'admin';
  /** SHA-256 hex of the token; the token itself is never stored. */
  token_hash: string;
  /** First characters of the token, to recognise it in lists. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** After this the token is refused (migration 0110); null: it never expires. */
  expires_at: string | null;
}

/**
 * A row of `feedback`, typed from the one description of the record's fields
 * (shared/feedback-fields.ts, which documents each column): a column added there is typed here.
 * `deleted` and `has_correction` are integers 0/1 rather than booleans so both backends store the
 * same thing; `record` is the FeedbackInput JSON (null for a tombstone of a record this server never
 * saw); `content_hash` the SHA-256 of the canonical record, telling a replay from a different write.
 */
export type FeedbackTable = FeedbackRow;

export interface FeedbackEventsTable {
  id: string;
  workspace_id: string;
  feedback_id: string;
  /** create | update | delete | supersede */
  op: string;
  actor_rater_id: string;
  actor_token_id: string | null;
  client_id: string | null;
  at: string;
  before: string | null;
  after: string | null;
}

export interface DB {
  workspaces: WorkspacesTable;
  tokens: TokensTable;
  feedback: FeedbackTable;
  feedback_events: FeedbackEventsTable;
}

export type { Generated };
