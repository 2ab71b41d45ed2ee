/**
 * WAL checkpoints in a worker thread (wal-checkpointer.ts): the serving connection's automatic
 * checkpoint becomes a backstop, and the worker's own connection moves committed frames into the
 * database file without the serving thread doing it.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.ts';
import { openStore } from './open.ts';
import { BACKSTOP_PAGES, startWalCheckpointer, type CheckpointReport } from './wal-checkpointer.ts';

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

  it('is not started for an in-memory store', async () => {
    const store = await openStore({ dataDir: ':memory:' });
    try {
      expect(startWalCheckpointer(store.sqlite!)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
