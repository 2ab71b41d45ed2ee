import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { openStore, SQLITE_FILE_NAME } from './open.ts';

describe('migrations', () => {
  it('apply to an empty file and create the core tables', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir });
    const tables = (await store.db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['workspaces', 'tokens', 'feedback', 'feedback_events']));
    const applied = await store.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect((applied as { name: string }[]).map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
    expect(store.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
    // Opening again is a no-op.
    const again = await openStore({ dataDir });
    await again.close();
  });

  it('refuse a database written by a newer version, and leave it untouched', async () => {
    const dataDir = tempDir();
    (await openStore({ dataDir })).close();
    const file = path.join(dataDir, SQLITE_FILE_NAME);
    const raw = new Database(file);
    raw.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9990-from-the-future', new Date().toISOString());
    raw.close();
    await expect(openStore({ dataDir })).rejects.toThrow(/newer Groundtruth.*9990-from-the-future/);
    const check = new Database(file);
    expect(check.prepare('select count(*) n from kysely_migration').get()).toEqual({ n: Object.keys(MIGRATIONS).length + 1 });
    check.close();
  });
});
