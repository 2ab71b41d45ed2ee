/**
 * Table types of migration 0220 (public ingest keys, issue 17). Kept beside, not inside,
 * schema.ts: `withPublicKeyTables(db)` adds them to a Kysely handle.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface PublicKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** SHA-256 hex of the key; the key itself is never stored. */
  key_hash: string;
  /** First characters of the key, to recognise it in lists. */
  prefix: string;
  /** JSON list of normalised origins (`https://app.example.com`, `http://127.0.0.1:5173`). */
  origins: string;
  /** JSON list of the criteria it may write, or null: any. */
  criteria: string | null;
  /** JSON list of the target kinds it may write, or null: any. */
  kinds: string | null;
  rate_per_minute: number;
  /** 1: the page's text is dropped from its records, its SHA-256 kept (shared/hashes-only.ts). */
  hashes_only: number;
  /** The admin token that made it (its id), or `cli`. */
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

export type PublicKeyTables = { public_keys: PublicKeysTable };
export type PublicKeysDB = DB & PublicKeyTables;

export function withPublicKeyTables(db: Kysely<DB> | Transaction<DB>): Kysely<PublicKeysDB> {
  return (db as Kysely<DB>).withTables<PublicKeyTables>();
}
