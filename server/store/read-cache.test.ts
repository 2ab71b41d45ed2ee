/**
 * Token lookups and workspace settings are reused for at most READ_CACHE_MS (read-cache.ts): a change
 * in this process is seen on the next request; one by another process on the same store (the CLI on
 * the SQLite file, a second server on PostgreSQL) within READ_CACHE_MS on the server clock.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { resetClock, setClock } from '../lib/clock.ts';
import { eraseRater } from './erase.ts';
import { openStore } from './open.ts';
import { READ_CACHE_MS } from './read-cache.ts';
import { revokeToken } from './tokens.ts';
import { getSettings, updateSettings } from './settings.ts';

const T = Date.UTC(2026, 11, 1, 12, 0, 0);
afterEach(resetClock);

async function setup() {
  const t = await createTestApp({ dataDir: (await import('../../test/helpers/app.ts')).tempDir() });
  const { token, info } = await t.token('rater');
  const status = async () => (await t.app.request('/v1/feedback', { headers: { Authorization: `Bearer ${token}` } })).status;
  return { t, token, info, status };
}

describe('the token cache', () => {
  it('sees a revocation by this process on the next request', async () => {
    setClock(T);
    const { t, info, status } = await setup();
    expect(await status()).toBe(200);
    await revokeToken(t.store.db, info.id);
    expect(await status()).toBe(401);
  });

  it('sees an erasure by this process on the next request', async () => {
    setClock(T);
    const { t, info, status } = await setup();
    expect(await status()).toBe(200);
    await eraseRater(t.store.db, info.workspaceId, info.raterId);
    expect(await status()).toBe(401);
  });

  it('sees a revocation by another process on the same file within READ_CACHE_MS, and reuses the lookup until then', async () => {
    let now = T;
    setClock(() => now);
    const { t, info, status } = await setup();
    expect(await status()).toBe(200);
    // Another process: its own connection to the same SQLite file, as `groundtruth token revoke` has.
    const other = await openStore({ dataDir: t.dataDir });
    try {
      await other.db.updateTable('tokens').set({ revoked_at: new Date(now).toISOString() }).where('id', '=', info.id).execute();
    } finally {
      await other.close();
    }
    now += READ_CACHE_MS - 1;
    expect(await status()).toBe(200); // the lookup of T, reused: the cache is real
    now += 1;
    expect(await status()).toBe(401);
  });

  it('settings: a change here is read at once, one by another process within READ_CACHE_MS', async () => {
    let now = T;
    setClock(() => now);
    const { t, info } = await setup();
    expect((await getSettings(t.store.db, info.workspaceId)).redactProgramText).toBe(true);
    await updateSettings(t.store.db, info.workspaceId, { redactProgramText: false });
    expect((await getSettings(t.store.db, info.workspaceId)).redactProgramText).toBe(false);
    const other = await openStore({ dataDir: t.dataDir });
    try {
      // Straight SQL, as another process writes it: updateSettings here would tell this process's cache.
      await sql`update workspace_settings set redact_program_text = 1 where workspace_id = ${info.workspaceId}`.execute(other.db);
    } finally {
      await other.close();
    }
    now += READ_CACHE_MS - 1;
    expect((await getSettings(t.store.db, info.workspaceId)).redactProgramText).toBe(false);
    now += 1;
    expect((await getSettings(t.store.db, info.workspaceId)).redactProgramText).toBe(true);
  });
});
