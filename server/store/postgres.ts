/**
 * The PostgreSQL backend: a pg connection pool under Kysely's PostgresDialect. Same tables, same
 * migrations and same queries as SQLite (see docs/decisions, "PostgreSQL backend").
 *
 * Differences papered over here, so code above the store sees what SQLite gives it:
 * - int8 (count(*), sum of integers) and numeric (avg) arrive as JS numbers, not strings;
 * - the schema is whatever `search_path` names first (`?options=-c search_path=…` in the URL picks
 *   another one); introspection and the migration bookkeeping see that schema only;
 * - a string parameter holding U+0000 is refused before it reaches the server (PostgreSQL text
 *   cannot store it), as a StoreInputError that the HTTP layer answers with 422.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { Kysely, PostgresAdapter, sql, type PostgresPoolClient } from 'kysely';
import { CurrentSchemaPostgresDialect } from './pg-introspector.ts';
import type { DB } from './schema.ts';
import { StoreInputError, StoreUnavailableError } from './errors.ts';
import { logger } from '../metrics/log.ts';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database[?options=-c search_path=schema] */
  url: string;
  /** Connections per server process (default 10). Several servers share PostgreSQL's max_connections. */
  poolSize?: number;
  /** Close a connection idle this long (default 30 s). */
  idleTimeoutMillis?: number;
  /** Give up waiting for a connection after this long (default 10 s): the request gets a 503. */
  connectTimeoutMillis?: number;
}

/** int8 and numeric as numbers: counts and sums here never approach 2^53. */
const NUMERIC_OIDS = new Set([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (NUMERIC_OIDS.has(oid) && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  return false;
}

/** Checks every query's parameters for NUL before pg sends them (PostgreSQL would answer 22021). */
function guardClient(client: pg.PoolClient): PostgresPoolClient {
  return {
    query(...args: unknown[]) {
      // Streaming queries (exports) pass a Cursor that carries its own parameters.
      const params = args[0] instanceof Cursor ? (args[0] as unknown as { values?: unknown[] }).values : args[1];
      if (Array.isArray(params) && params.some(hasNul)) {
        return Promise.reject(new StoreInputError('Text must not contain the NUL character (U+0000).'));
      }
      return (client.query as (...a: unknown[]) => unknown)(...args);
    },
    release: () => client.release(),
  } as PostgresPoolClient;
}

/** A pooled connection, or a 503 when PostgreSQL is down or every connection stays busy. */
async function connect(pool: pg.Pool): Promise<PostgresPoolClient> {
  try {
    return guardClient(await pool.connect());
  } catch (err) {
    throw new StoreUnavailableError('The database is busy or unreachable; retry shortly.', { cause: err });
  }
}

export interface PostgresHandle {
  db: Kysely<DB>;
  pool: pg.Pool;
  /** The schema the tables live in (first of search_path). */
  schema: string;
  location: string;
}

export async function openPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    // A pool that stays exhausted fails the request instead of hanging it forever.
    connectionTimeoutMillis: options.connectTimeoutMillis ?? 10_000,
    types,
    application_name: 'groundtruth',
    keepAlive: true,
    // A server that vanishes mid-transaction (host lost, network cut) would otherwise hold its
    // row and advisory locks until TCP notices, hours later. Our transactions last milliseconds
    // and never wait on the network (exports stream outside any transaction).
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle client losing its connection (PostgreSQL restarted, network cut) emits 'error' on the
  // pool; unhandled, that would kill the process. The pool drops the client and opens a new one.
  pool.on('error', (err) => logger().error({ reason: err.message }, 'PostgreSQL connection lost'));
  const db = new Kysely<DB>({
    // pg-cursor: Kysely's .stream() (exports read row by row, never the whole set in memory).
    dialect: new CurrentSchemaPostgresDialect({ cursor: Cursor, pool: { connect: () => connect(pool), end: () => pool.end() } }),
  });
  let schema: string | null;
  try {
    const row = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = row.rows[0]?.schema ?? null;
  } catch (err) {
    await db.destroy();
    const reason = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    throw new Error(`Cannot reach PostgreSQL at ${redactUrl(options.url)}: ${reason}`, { cause: err });
  }
  if (!schema) {
    await db.destroy();
    throw new Error(`PostgreSQL at ${redactUrl(options.url)}: no schema of search_path exists; create it first.`);
  }
  return { db, pool, schema, location: redactUrl(options.url) };
}

/** True when `db` (or a transaction of it) talks to PostgreSQL. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
