/**
 * Table types of migration 0080 (site visits and incidents). Kept beside, not inside, schema.ts:
 * `withHealth(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema.ts';

export interface SiteVisitsTable {
  workspace_id: string;
  id: string;
  received_at: string;
  /** The visit's time (client clock, clamped to received_at when in the future or over 7 days old). */
  at: string;
  /** UTC day of `at`. */
  day: string;
  client_id: string;
  token_id: string;
  site: string;
  adapter: string;
  layout: string;
  fallback: number;
  pack: number | null;
  answers: number;
  user_turns: number;
  prompt_read: number;
  model_read: number;
  conversation_read: number;
}

export type IncidentReason = 'no_answers' | 'no_prompt';

export interface SiteIncidentsTable {
  workspace_id: string;
  site: string;
  id: string;
  broken_since: string;
  started_at: string;
  reason: IncidentReason;
  healthy_streak: number;
  ended_at: string | null;
}

// A type alias, not an interface: withTables() needs a type with an implicit index signature.
export type HealthTables = {
  site_visits: SiteVisitsTable;
  site_incidents: SiteIncidentsTable;
};

export type HealthDB = DB & HealthTables;

export function withHealth(db: Kysely<DB> | Transaction<DB>): Kysely<HealthDB> {
  return (db as Kysely<DB>).withTables<HealthTables>();
}
