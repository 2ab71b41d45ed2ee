/**
 * Table types of migration 0210 (presigned rating links, issue 17). Kept beside, not inside,
 * schema.ts, as queue-tables.ts: `withLinkTables(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface FeedbackLinksTable {
  id: string;
  workspace_id: string;
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  secret_hash: string;
  /** First characters of the secret (`gtl_ab12cd34`), to recognise it in lists. */
  prefix: string;
  /** JSON: the target (shared Target schema), redacted as program text is. */
  target: string;
  target_key: string;
  criterion: string;
  /** JSON AllowedRatings, or null: any rating. */
  allowed_ratings: string | null;
  /** 1: every browser may vote until it expires; 0: the first rating uses it up. */
  reusable: number;
  /** The creator's id of the person it is for (rater `user:<id>`), or null: anonymous per browser. */
  user_id: string | null;
  /** The token that made it (its id). */
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** A single-use link: when its rating came in. */
  used_at: string | null;
  /** Raters who rated through it. */
  votes: number;
}

export type LinkTables = { feedback_links: FeedbackLinksTable };
export type LinksDB = DB & LinkTables;

export function withLinkTables(db: Kysely<DB> | Transaction<DB>): Kysely<LinksDB> {
  return (db as Kysely<DB>).withTables<LinkTables>();
}
