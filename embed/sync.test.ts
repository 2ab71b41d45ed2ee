/**
 * The embed's sync run against the real server app (app.request as fetch, real SQLite) with a
 * public key made through the API, as a page on an allowed origin would send it.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/helpers/app.ts';
import type { Target } from '../shared/schemas.ts';
import { EmbedOutbox } from './outbox.ts';
import { EmbedStore } from './store.ts';
import { syncRun, type Fetch } from './sync.ts';

const ORIGIN = 'https://app.example.com';
const SERVER = 'http://127.0.0.1:8787';
let t: Awaited<ReturnType<typeof createTestApp>>;
let admin: string;
let publicKey: string;

const pageFetch: Fetch = async (url, init) => t.app.request(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Origin: ORIGIN } });
const target = (key: string, url = `${ORIGIN}/chat/1`): Target => ({ kind: 'chat_response', key, url, model: 'acme-1', output: `answer ${key}` });
let n = 0;
const outbox = (now?: () => number) => new EmbedOutbox(new EmbedStore(`sync-${n++}`, { indexedDB: new IDBFactory(), IDBKeyRange }), { now });

async function records() {
  const res = await t.call(admin, 'GET', '/v1/feedback?limit=100');
  expect(res.status).toBe(200);
  return (await res.json()).items as Record<string, any>[];
}

beforeAll(async () => {
  t = await createTestApp();
  admin = (await t.token('admin')).token;
  const res = await t.call(admin, 'POST', '/v1/public-keys', { name: 'acme', origins: [ORIGIN] });
  expect(res.status).toBe(201);
  publicKey = (await res.json()).key;
});
afterAll(async () => {
  await t.store.close();
});

describe('embed sync with a public key', () => {
  it('sends pending votes, settles them, and a re-vote updates the same record', async () => {
    const box = outbox();
    await box.save({ target: target('a'), rating: { thumb: 'up' } });
    await box.save({ target: target('b'), rating: { thumb: 'down' }, comment: 'wrong' });
    const report = await syncRun(box, { server: SERVER, publicKey, userId: 'user-1' }, pageFetch);
    expect(report).toMatchObject({ ok: true, sent: 2 });
    expect((await box.statuses(['a', 'b'])).map((s) => s.state)).toEqual(['synced', 'synced']);
    await box.save({ target: target('a'), rating: { thumb: 'down' } });
    expect((await syncRun(box, { server: SERVER, publicKey, userId: 'user-1' }, pageFetch)).sent).toBe(1);
    const stored = (await records()).filter((r) => ['a', 'b'].includes(r.target.key));
    expect(stored).toHaveLength(2);
    expect(stored.find((r) => r.target.key === 'a')!.rating).toEqual({ thumb: 'down' });
    for (const r of stored) expect(r.source).toEqual({ type: 'human', channel: 'embed', name: 'acme' });
    // Nothing pending: no request at all.
    expect(await syncRun(box, { server: SERVER, publicKey }, async () => { throw new Error('no request expected'); })).toMatchObject({ ok: true, sent: 0 });
  });

  it('a page whose clock is 2 h ahead: corrected from serverTime and accepted in the same run', async () => {
    const box = outbox(() => Date.now() + 2 * 3_600_000);
    await box.save({ target: target('ahead'), rating: { thumb: 'up' } });
    const report = await syncRun(box, { server: SERVER, publicKey }, pageFetch);
    expect(report.ok).toBe(true);
    expect((await box.statuses(['ahead']))[0]!.state).toBe('synced');
    expect(await box.clockOffset()).toBeLessThan(-3_500_000);
    expect((await records()).some((r) => r.target.key === 'ahead')).toBe(true);
  });

  it('a record about a page on another origin is rejected with its reason, and never sent again', async () => {
    const box = outbox();
    await box.save({ target: target('foreign', 'https://evil.example.net/x'), rating: { thumb: 'up' } });
    const report = await syncRun(box, { server: SERVER, publicKey }, pageFetch);
    expect(report.changed).toEqual([expect.objectContaining({ key: 'foreign', state: 'rejected', error: expect.any(String) })]);
    expect((await syncRun(box, { server: SERVER, publicKey }, async () => { throw new Error('no request expected'); })).sent).toBe(0);
    expect((await records()).some((r) => r.target.key === 'foreign')).toBe(false);
  });
});
