import path from 'node:path';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { PublishedConfig } from '../../shared/extension-config.ts';
import { ConfigVersionConflictError, getConfigVersion, getExtensionConfig, listConfigVersions, putExtensionConfig } from './extension-config.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { openSqlite } from './open.ts';
import { createToken } from './tokens.ts';

const config = (answer: string) => PublishedConfig.parse({ selectorPacks: { chatgpt: { answer: [answer] } } });

describe('extension config versions', () => {
  it('two admins publishing at once get two versions, both kept', async () => {
    const store = await openTestStore();
    const { info } = await createToken(store.db, { role: 'admin', name: 'a' });
    const published = await Promise.all([
      putExtensionConfig(store.db, 'default', config('.one'), info.id),
      putExtensionConfig(store.db, 'default', config('.two'), info.id),
    ]);
    expect(published.map((p) => p.version).sort()).toEqual([1, 2]);
    expect(await getConfigVersion(store.db, 'default')).toBe(2);
    const live = await getExtensionConfig(store.db, 'default');
    const last = published.find((p) => p.version === 2)!;
    expect(live.config).toEqual(last.config);
    const history = await listConfigVersions(store.db, 'default');
    expect(history.map((h) => h.version)).toEqual([2, 1]);
    expect(await getConfigVersion(store.db, 'elsewhere')).toBe(0);
    await store.close();
  });

  it('publishes on top of an expected version only', async () => {
    const store = await openTestStore();
    await createToken(store.db, { role: 'admin', name: 'a' });
    await expect(putExtensionConfig(store.db, 'default', config('.x'), null, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConfigVersionConflictError);
    expect((await putExtensionConfig(store.db, 'default', config('.a'), null, { expectedVersion: 0 })).version).toBe(1);
    await expect(putExtensionConfig(store.db, 'default', config('.b'), null, { expectedVersion: 0 })).rejects.toBeInstanceOf(ConfigVersionConflictError);
    expect((await putExtensionConfig(store.db, 'default', config('.c'), null, { expectedVersion: 1 })).version).toBe(2);
    await expect(putExtensionConfig(store.db, 'default', config('.d'), null, { expectedVersion: 1 })).rejects.toThrow(/no longer version 1/);
    // Nothing of the refused ones was stored.
    expect((await getExtensionConfig(store.db, 'default')).config.selectorPacks).toEqual({ chatgpt: { answer: ['.c'] } });
    expect((await listConfigVersions(store.db, 'default')).map((v) => v.version)).toEqual([2, 1]);
    await store.close();
  });

  it('the migration makes an already published config version 1, with its history row', async () => {
    const sqlite = openSqlite(path.join(tempDir(), 'old.sqlite'));
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
    expect((await migrator.migrateTo('0060-dashboard')).error).toBeUndefined();
    const json = JSON.stringify({ rules: [], disabledAdapters: ['gemini'] });
    await db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: '2026-01-01T00:00:00.000Z' }).execute();
    await db
      .insertInto('extension_config')
      .values({ workspace_id: 'w', config: json, updated_at: '2026-01-02T00:00:00.000Z', updated_by: 'tok-1' })
      .execute();
    expect((await migrator.migrateTo('0070-config-versions')).error).toBeUndefined();

    expect(await getConfigVersion(db, 'w')).toBe(1);
    expect((await getExtensionConfig(db, 'w')).config).toEqual({ rules: [], disabledAdapters: ['gemini'], selectorPacks: {}, criteria: [] });
    expect(await listConfigVersions(db, 'w')).toEqual([
      { version: 1, publishedAt: '2026-01-02T00:00:00.000Z', publishedBy: { tokenId: 'tok-1', name: null }, packSites: [], rules: 0, disabledAdapters: ['gemini'] },
    ]);
    // The next publish continues from there.
    expect((await putExtensionConfig(db, 'w', config('.x'), null)).version).toBe(2);
    await db.destroy();
  });
});
