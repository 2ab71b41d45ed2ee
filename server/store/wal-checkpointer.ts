/**
 * WAL checkpoints off the serving thread (issue 19). SQLite's automatic checkpoint runs inside the
 * COMMIT that crosses `wal_autocheckpoint` pages: the writer's thread copies the WAL back into the
 * database file and fsyncs it, and on the single-POST path that was about half of the time spent in
 * COMMIT. Here a worker thread with its own connection to the same file runs PASSIVE checkpoints
 * (they never block the writer or readers) every 200 ms, and the serving connection's
 * own automatic checkpoint is raised to a backstop that only runs if the worker falls behind.
 * Durability is unchanged: a commit is in the WAL before it is acknowledged, as before
 * (synchronous=NORMAL, ADR 0003); a checkpoint only moves committed pages into the main file.
 * https://www.sqlite.org/wal.html#application_initiated_checkpoints
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** The serving connection's automatic checkpoint, a backstop for a worker that fell behind (~80 MiB). */
export const BACKSTOP_PAGES = 20_000;

export interface CheckpointReport {
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Resolves with the next checkpoint the worker ran (tests). */
  next(): Promise<CheckpointReport>;
  stop(): Promise<void>;
}

// The worker's whole program: a PASSIVE checkpoint every interval (one with nothing new to copy
// returns at once), reported to the serving thread when it moved frames.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log > 0) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startWalCheckpointer(
  sqlite: Database.Database,
  options: { intervalMs?: number; log?: (line: string) => void } = {},
): WalCheckpointer | undefined {
  const file = sqlite.name;
  if (sqlite.memory || file === ':memory:') return undefined;
  const { intervalMs = 200, log = () => {} } = options;
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  const waiting: ((r: CheckpointReport) => void)[] = [];
  worker.on('message', (m: CheckpointReport & { error?: string }) => {
    if (m.error) return log(`wal checkpoint: ${m.error}`);
    for (const w of waiting.splice(0)) w(m);
  });
  worker.on('error', (err) => log(`wal checkpoint worker: ${err.message}`));
  let stopped: Promise<void> | undefined;
  return {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        // Referenced while it is awaited: an unref'd worker would let a process with nothing else
        // to do exit (code 13, "unsettled top-level await") before its exit arrives.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }).then(() => {
        // Back to SQLite's default: whoever uses the connection now checkpoints as usual.
        sqlite.pragma('wal_autocheckpoint = 1000');
      });
      return stopped;
    },
  };
}
