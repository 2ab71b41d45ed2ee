/**
 * A database with no migration run yet, on the backend under test: migration tests step a
 * Migrator through it (`migrateTo`) with rows shaped as an older schema held them.
 */
import path from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { openSqlite } from '../../server/store/open.ts';
import { openPostgres } from '../../server/store/postgres.ts';
import { tempDir } from './app.ts';
import { dropPostgresSchema, freshPostgresUrl, testBackend } from './backend.ts';

export interface UnmigratedStore {
  db: Kysely<any>;
  /** The PostgreSQL schema of this test (the Migrator's migrationTableSchema); unset on SQLite. */
  schema?: string;
  close(): Promise<void>;
}

export async function unmigratedStore(): Promise<UnmigratedStore> {
  if (testBackend() === 'postgres') {
    const url = await freshPostgresUrl();
    const pg = await openPostgres({ url, poolSize: 2, idleTimeoutMillis: 500 });
    return { db: pg.db, schema: pg.schema, close: async () => { await pg.db.destroy(); await dropPostgresSchema(url); } };
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: openSqlite(path.join(tempDir(), 'old.sqlite')) }) });
  return { db, close: () => db.destroy() };
}

/** The secondary indexes of `table` on the backend under test (not primary keys), sorted by name. */
export async function indexNames(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } =
    testBackend() === 'postgres'
      ? await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db);
  return rows.map((r) => r.name).filter((n) => !/_pkey$|_pk$|^sqlite_autoindex_/.test(n)).sort();
}
