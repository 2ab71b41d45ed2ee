/**
 * WAL checkpoints in a worker thread (wal-checkpointer.ts): the serving connection's automatic
 * checkpoint becomes a backstop, and the worker's own connection moves committed frames into the
 * database file without the serving thread doing it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.ts';
import { openStore } from './open.ts';
import { BACKSTOP_PAGES, startWalCheckpointer, type CheckpointReport } from './wal-checkpointer.ts';

const run = promisify(execFile);

describe('the WAL checkpointer', () => {
  it('checkpoints what the serving connection committed, from its own thread and connection', async () => {
    const store = await openStore({ dataDir: tempDir('gt-wal-') });
    const sqlite = store.sqlite!;
    try {
      sqlite.exec('create table probe (n integer primary key, note text)');
      const checkpointer = startWalCheckpointer(sqlite, { intervalMs: 10 })!;
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
      const insert = sqlite.prepare('insert into probe (n, note) values (?, ?)');
      sqlite.transaction(() => {
        for (let n = 0; n < 5000; n++) insert.run(n, 'x'.repeat(200));
      })();
      // Reports come as the worker checkpoints; wait for the one that copied every frame.
      let report: CheckpointReport;
      do report = await checkpointer.next();
      while (report.checkpointed < report.log);
      expect(report.log).toBeGreaterThan(100);
      // Nothing is left for the serving connection to copy: the worker did it.
      const [own] = sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      expect(own!.checkpointed).toBe(own!.log);
      await checkpointer.stop();
      // Stopped: the connection checkpoints on its own again, at SQLite's default.
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect(sqlite.prepare('select count(*) n from probe').get()).toEqual({ n: 5000 });
    } finally {
      await store.close();
    }
  });

  it('can be stopped by a process with nothing else to wait for', async () => {
    // The worker is unref'd so it never keeps a process alive; awaiting stop() must, until the
    // worker has exited (a bench awaiting it last exited with code 13 and printed nothing).
    const file = path.join(tempDir('gt-wal-stop-'), 'stop.sqlite');
    const script = `
      import Database from 'better-sqlite3';
      import { startWalCheckpointer } from ${JSON.stringify(path.join(import.meta.dirname, 'wal-checkpointer.ts'))};
      const db = new Database(${JSON.stringify(file)});
      db.pragma('journal_mode = WAL');
      await startWalCheckpointer(db, { intervalMs: 10 }).stop();
      console.log('stopped');
    `;
    const child = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }).then(
      ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ status: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );
    expect({ status: child.status, stdout: child.stdout.trim() }, child.stderr).toEqual({ status: 0, stdout: 'stopped' });
  });

  it('is not started for an in-memory store', async () => {
    const store = await openStore({ dataDir: ':memory:' });
    try {
      expect(startWalCheckpointer(store.sqlite!)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
