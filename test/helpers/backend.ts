/**
 * Which store the tests run on. `npm test` runs the store and route suites twice: once on SQLite
 * (vitest.config.ts) and once on PostgreSQL (vitest.postgres.config.ts sets GT_TEST_BACKEND and
 * creates a throw-away database for the run, see test/setup/postgres.ts). On PostgreSQL every
 * test store gets a fresh schema in that database, so tests never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../server/store/open.ts';
import { DEFAULT_TEST_DATABASE_URL } from '../setup/database-url.ts';

export type TestBackend = 'sqlite' | 'postgres';

export function testBackend(): TestBackend {
  return process.env.GT_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
}

export { DEFAULT_TEST_DATABASE_URL };

/** The database of this test run (set by test/setup/postgres.ts), else TEST_DATABASE_URL, else the default. */
export function testDatabaseUrl(): string {
  return process.env.GT_RUN_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let adminPool: pg.Pool | undefined;
function admin(): pg.Pool {
  if (!adminPool) {
    adminPool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2, idleTimeoutMillis: 1000, allowExitOnIdle: true });
    adminPool.on('error', () => {});
  }
  return adminPool;
}

/** `url` with its first search_path schema set to `schema` (pg's `options` startup parameter). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Creates an empty schema in the run's database; returns a DATABASE_URL that lives in it. */
export async function freshPostgresUrl(prefix = 't'): Promise<string> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(5).toString('hex')}`;
  await admin().query(`create schema "${schema}"`);
  return withSearchPath(testDatabaseUrl(), schema);
}

/** Drops the schema a freshPostgresUrl() made (tests that run outside the per-run database clean up). */
export async function dropPostgresSchema(url: string): Promise<void> {
  const schema = /search_path=([A-Za-z0-9_]+)/.exec(decodeURIComponent(new URL(url).searchParams.get('options') ?? ''))?.[1];
  if (schema) await admin().query(`drop schema if exists "${schema}" cascade`);
}

/**
 * A store on the backend of this run: a temp SQLite file, or a fresh PostgreSQL schema (with a
 * small pool that closes idle connections quickly, as tests rarely close their stores).
 */
export async function openTestStore(options: { dataDir?: string; backend?: TestBackend } = {}): Promise<Store> {
  const backend = options.backend ?? testBackend();
  if (backend === 'postgres' && !options.dataDir) {
    return openStore({ databaseUrl: await freshPostgresUrl(), poolSize: 4, idleTimeoutMillis: 500 });
  }
  return openStore({ dataDir: options.dataDir ?? tmp('gt-test-') });
}
