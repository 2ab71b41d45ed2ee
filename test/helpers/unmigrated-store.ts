/**
 * A database with no migration run yet, on the backend under test: migration tests step a
 * Migrator through it (`migrateTo`) with rows shaped as an older schema held them.
 */
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
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
