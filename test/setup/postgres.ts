/**
 * vitest globalSetup of the PostgreSQL run (vitest.postgres.config.ts): creates one database for
 * this run (so runs in parallel on one machine never meet), hands its URL to the test workers
 * through GT_RUN_DATABASE_URL, and drops it afterwards. PostgreSQL unreachable = the run fails,
 * with the command that fixes it; it is never skipped.
 */
import pg from 'pg';
import { DEFAULT_TEST_DATABASE_URL } from '../helpers/backend.ts';

export default async function setup() {
  const baseUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  const base = new pg.Client({ connectionString: baseUrl });
  try {
    await base.connect();
  } catch (err) {
    const safe = baseUrl.replace(/:[^:@/]*@/, ':***@');
    throw new Error(
      `PostgreSQL tests need a server at ${safe} (${(err as Error).message}). ` +
        'Start one with `bash .ci/postgres.sh` (as root), or point TEST_DATABASE_URL at a role that may CREATE DATABASE.',
    );
  }
  const name = `gt_run_${process.pid}_${Date.now().toString(36)}`;
  // template0 + C collation: byte order for text, as SQLite compares (see docs/operations.md).
  await base.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
  await base.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  process.env.GT_RUN_DATABASE_URL = url.toString();

  return async function teardown() {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
}
