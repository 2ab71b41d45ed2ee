/** Kysely table types. Timestamps are ISO 8601 UTC strings (`toISOString()`), in both backends. */
import type { Generated } from 'kysely';

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

export interface FeedbackTable {
  id: string;
  workspace_id: string;
  rater_id: string;
  client_id: string | null;
  target_key: string;
  kind: string;
  site: string | null;
  model: string | null;
  intent: string | null;
  project: string | null;
  subject: string | null;
  conversation_id: string | null;
  thumb: 'up' | 'down' | null;
  stars: number | null;
  label: string | null;
  created_at: string;
  updated_at: string;
  received_at: string;
  /** 1 = tombstone. Integers rather than booleans so both backends store the same thing. */
  deleted: number;
  /** The FeedbackInput JSON (null for a tombstone of a record this server never saw). */
  record: string | null;
  /** SHA-256 of the canonical record: tells a replay from a different write at the same time. */
  content_hash: string;
}

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
