/**
 * Table types of migration 0230 (connect codes, issue 15). Kept beside, not inside, schema.ts, as
 * queue-tables.ts: `withConnectTables(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface ConnectCodesTable {
  id: string;
  workspace_id: string;
  /** SHA-256 hex of the normalised code (no dash, upper case); the code itself is never stored. */
  code_hash: string;
  /** Whose browser it connects: the new token gets this rater id. */
  rater_id: string;
  /** The token (its id) of the session that made it. */
  created_by: string;
  created_at: string;
  expires_at: string;
  /** The one use: when, and the token it gave. */
  used_at: string | null;
  token_id: string | null;
}

export type ConnectTables = { connect_codes: ConnectCodesTable };
export type ConnectDB = DB & ConnectTables;

export function withConnectTables(db: Kysely<DB> | Transaction<DB>): Kysely<ConnectDB> {
  return (db as Kysely<DB>).withTables<ConnectTables>();
}
