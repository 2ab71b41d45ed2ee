import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from './schema.ts';
import { attachChangeListeners } from './feedback-changes.ts';
import { migrateToLatest } from './migrate.ts';
import { openPostgres } from './postgres.ts';
import { PROJECTIONS } from './projections.ts';
import { registerSqliteFastPath } from './sqlite-fast-path.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Where the data lives, for messages: a file path or a redacted URL. */
  location: string;
  /** The raw better-sqlite3 handle (SQLite only): backups, integrity checks, benchmarks. */
  sqlite?: Database.Database;
  /** PostgreSQL only: the schema the tables live in (first of search_path; usually public). */
  schema?: string;
  /** PostgreSQL only: the pool's counts, for /metrics (metrics/scrape.ts). */
  pool?: { readonly totalCount: number; readonly idleCount: number; readonly waitingCount: number };
  close(): Promise<void>;
}

export interface StoreConfig {
  /** Directory for groundtruth.sqlite; ':memory:' for an in-memory store (tests). */
  dataDir?: string;
  /** An explicit SQLite file path (wins over dataDir). */
  sqliteFile?: string;
  /** postgres://… selects PostgreSQL (wins over the SQLite options). */
  databaseUrl?: string;
  /** PostgreSQL connections per process (default 10). */
  poolSize?: number;
  /** PostgreSQL: close connections idle this long (default 30 s; tests use less). */
  idleTimeoutMillis?: number;
}

export const SQLITE_FILE_NAME = 'groundtruth.sqlite';

export function openSqlite(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // WAL: readers never block the writer. synchronous=NORMAL in WAL mode: a commit survives a
  // process crash (SIGKILL); only an OS crash or power loss can lose the last commits.
  // See docs/decisions/0003-sqlite-durability.md and https://www.sqlite.org/pragma.html#pragma_synchronous
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and overwritten content is zeroed on every write path, not left in freed cells and
  // pages where a later erasure cannot reach it (ADR 0013, "gone from the file, too"). The cost is
  // the zeroing writes on deletes and updates. https://www.sqlite.org/pragma.html#pragma_secure_delete
  sqlite.pragma('secure_delete = ON');
  // vec_distance_cosine() and friends for semantic search (search/semantic/vectors.ts, ADR 0041).
  sqliteVec.load(sqlite);
  return sqlite;
}

/**
 * FTS5 otherwise records a deletion as a marker in a new segment and keeps the deleted words in
 * the old one until segments merge; with secure-delete they leave the index at once. A setting of
 * the table (kept in search_fts_config), written only when it is not set yet.
 * https://www.sqlite.org/fts5.html#the_secure_delete_configuration_option
 */
function ftsSecureDelete(sqlite: Database.Database): void {
  if (!sqlite.prepare("select 1 from sqlite_master where name = 'search_fts_config'").get()) return;
  const row = sqlite.prepare("select v from search_fts_config where k = 'secure-delete'").get() as { v: number } | undefined;
  if (row?.v !== 1) sqlite.prepare("insert into search_fts(search_fts, rank) values ('secure-delete', 1)").run();
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing cost more than running the query on
 * the single-feedback POST path (profiled: ~40% of its time). Statements are reusable, and the
 * driver runs one query at a time per connection, so a bounded cache keyed by SQL text is safe.
 */
function withStatementCache(sqlite: Database.Database, max = 500) {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        stmt = sqlite.prepare(sqlText);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

/**
 * Opens the store and brings it to the latest schema (refusing one newer than this code), with its
 * projections attached (store/projections.ts): every write through `db` keeps rollups, the search
 * index and the webhook outbox in its transaction. The one way a process gets a store.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) {
    const pg = await openPostgres({ url: config.databaseUrl, poolSize: config.poolSize, idleTimeoutMillis: config.idleTimeoutMillis });
    try {
      await migrateToLatest(pg.db, { schema: pg.schema });
    } catch (err) {
      await pg.db.destroy();
      throw err;
    }
    attachChangeListeners(pg.db, PROJECTIONS);
    return { db: pg.db, dialect: 'postgres', location: pg.location, schema: pg.schema, pool: pg.pool, close: () => pg.db.destroy() };
  }
  const file =
    config.sqliteFile ??
    (config.dataDir === ':memory:' ? ':memory:' : path.join(config.dataDir ?? 'data', SQLITE_FILE_NAME));
  const sqlite = openSqlite(file);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  ftsSecureDelete(sqlite);
  registerSqliteFastPath(db, sqlite);
  attachChangeListeners(db, PROJECTIONS);
  return {
    db,
    dialect: 'sqlite',
    location: file,
    sqlite,
    close: () => db.destroy(),
  };
}
