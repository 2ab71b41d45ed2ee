/**
 * Tables added by migration 0060-dashboard (sessions, notes, the search index). Kept beside
 * schema.ts rather than in it so the dashboard's tables travel with the dashboard; `DashboardDB`
 * is the core DB plus these, and `withDashboardTables` widens a core handle to it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface DashboardSessionsTable {
  /** SHA-256 hex of the cookie's secret. */
  id: string;
  token_id: string;
  workspace_id: string;
  /** Per-session secret echoed in every form (synchronizer token). */
  csrf: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface SubjectNotesTable {
  id: string;
  workspace_id: string;
  subject: string;
  body: string;
  author_rater_id: string;
  author_name: string;
  created_at: string;
}

/** SQLite only (FTS5 companion rows); see server/search. */
export interface SearchDocsTable {
  id: number;
  doc_key: string;
  workspace_id: string;
  source: 'feedback' | 'note' | 'event';
  ref_id: string;
  /** Feedback: the record's target key (one hit per target); added by migration 0180. */
  target_key: string | null;
  subject: string | null;
  model: string | null;
  at: string;
  quality: number | null;
}

// A type alias, not an interface: withTables<T> needs T to have an implicit index signature.
export type DashboardTables = {
  dashboard_sessions: DashboardSessionsTable;
  subject_notes: SubjectNotesTable;
  search_docs: SearchDocsTable;
};

export type DashboardDB = DB & DashboardTables;

export function withDashboardTables(db: Kysely<DB>): Kysely<DashboardDB>;
export function withDashboardTables(db: Transaction<DB>): Transaction<DashboardDB>;
export function withDashboardTables(db: Kysely<DB> | Transaction<DB>): Kysely<DashboardDB> | Transaction<DashboardDB> {
  return db.withTables<DashboardTables>();
}
