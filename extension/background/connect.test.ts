/**
 * "Connect with a code" in the background (connect.ts), against the real server app: the code
 * from the store becomes this browser's token, stored as a pasted one; refusals are sentences.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { createTestApp } from '../../test/helpers/app.ts';
import { makeConnectCode } from '../../test/helpers/connect.ts';
import type { Fetch } from '../sync/http.ts';
import { connectWithCode } from './connect.ts';
import { loadSettings, type KeyValueArea } from './settings.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let storage: KeyValueArea;
let fetchFn: Fetch;
const sentTo: string[] = [];

beforeEach(async () => {
  fakeBrowser.reset();
  sentTo.length = 0;
  storage = fakeBrowser.storage.local as unknown as KeyValueArea;
  t = await createTestApp();
  fetchFn = async (url, init) => {
    sentTo.push(url);
    return t.app.request(url, init);
  };
});
afterEach(async () => {
  await t.store.close();
});

const code = () => makeConnectCode(t.store, 'alice');

describe('connectWithCode', () => {
  it('trades the code for a rater token of its maker and stores it with the server URL, as Save stores a pasted one', async () => {
    const res = await connectWithCode({ fetch: fetchFn, storage }, 'http://127.0.0.1:8787/', await code(), 'Chrome on Linux');
    expect(res).toMatchObject({ ok: true, raterId: 'alice', workspaceId: 'default' });
    expect(res.message).toMatch(/^Connected to http:\/\/127\.0\.0\.1:8787 as rater alice/);
    expect(res).not.toHaveProperty('token');
    const s = await loadSettings(storage);
    expect(s.serverUrl).toBe('http://127.0.0.1:8787');
    expect(s.token).toMatch(/^gt_/);
    expect(sentTo).toEqual(['http://127.0.0.1:8787/v1/connect']);
    const row = await t.store.db.selectFrom('tokens').selectAll().where('name', '=', 'Chrome on Linux').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ rater_id: 'alice', role: 'rater' });
  });

  it('says in words what is wrong, and stores nothing', async () => {
    const used = await code();
    await connectWithCode({ fetch: fetchFn, storage }, 'http://127.0.0.1:8787', used);
    await storage.set({ settings: {} });
    const again = await connectWithCode({ fetch: fetchFn, storage }, 'http://127.0.0.1:8787', used);
    expect(again.ok).toBe(false);
    expect(again.message).toMatch(/HTTP 409.*used already/);
    const wrong = await connectWithCode({ fetch: fetchFn, storage }, 'http://127.0.0.1:8787', 'ZZZZ-ZZZZ');
    expect(wrong.message).toMatch(/HTTP 404.*No such connect code/);
    expect((await connectWithCode({ fetch: fetchFn, storage }, 'ftp://x', 'ZZZZ-ZZZZ')).kind).toBe('bad-url');
    expect((await connectWithCode({ fetch: fetchFn, storage }, 'http://127.0.0.1:8787', '  ')).kind).toBe('bad-code');
    const denied = await connectWithCode({ fetch: fetchFn, storage, mayReach: async () => false }, 'https://gt.example.com', 'ZZZZ-ZZZZ');
    expect(denied).toMatchObject({ ok: false, kind: 'no-permission' });
    expect((await loadSettings(storage)).token).toBe('');
  });
});
