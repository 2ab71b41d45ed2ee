import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { Target } from '../shared/schemas.ts';
import { FeedbackInput } from '../shared/schemas.ts';
import { CLOCK_AHEAD, EmbedOutbox } from './outbox.ts';
import { EmbedStore } from './store.ts';

const target = (key: string): Target => ({ kind: 'chat_response', key, url: 'https://app.example.com/chat', output: 'Four.' });

let n = 0;
function fresh(factory = new IDBFactory(), name = `embed-outbox-${n++}`, now?: () => number) {
  return new EmbedOutbox(new EmbedStore(name, { indexedDB: factory, IDBKeyRange }), { now });
}

describe('embed outbox (plain IndexedDB, the extension outbox semantics)', () => {
  it('saves a vote as pending with a valid record; a re-vote keeps the id with a newer updatedAt', async () => {
    const outbox = fresh();
    const first = await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const second = await outbox.save({ target: target('k1'), rating: { thumb: 'down' }, comment: 'wrong' });
    expect(FeedbackInput.parse(second.feedback)).toMatchObject({ id: first.feedbackId, rating: { thumb: 'down' }, comment: 'wrong' });
    expect(second.feedbackId).toBe(first.feedbackId);
    expect(second.updatedAt > first.updatedAt).toBe(true);
    expect(await outbox.statuses(['k1', 'k2'])).toEqual([
      { key: 'k1', state: 'pending', rating: { thumb: 'down' }, comment: 'wrong' },
      { key: 'k2', state: 'none' },
    ]);
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 0, rejected: 0 });
  });

  it('survives a reload: a new outbox on the same database sees the rows and the client id', async () => {
    const factory = new IDBFactory();
    const a = fresh(factory, 'same');
    await a.save({ target: target('k1'), rating: { thumb: 'up' } });
    const id = await a.clientId();
    expect(id).toMatch(/^embed-/);
    await a.store.close();
    const b = fresh(factory, 'same');
    expect((await b.statuses(['k1']))[0]!.state).toBe('pending');
    expect(await b.clientId()).toBe(id);
  });

  it('takes batches in updatedAt order; applied/stale → synced, rejected keeps its reason, clock_ahead stays pending', async () => {
    let t = Date.parse('2026-06-01T10:00:00.000Z');
    const outbox = fresh(undefined, undefined, () => t++);
    for (const k of ['a', 'b', 'c', 'd']) await outbox.save({ target: target(k), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('c1', { extra: { userId: 'u1' } });
    expect(batch.mutations.map((m) => m.op)).toEqual(['upsert', 'upsert', 'upsert', 'upsert']);
    expect(batch.sent.map((s) => s.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(batch.bytes).toBe(new TextEncoder().encode(JSON.stringify({ clientId: 'c1', userId: 'u1', mutations: batch.mutations })).length);
    const [a, b, c, d] = batch.sent;
    const changed = await outbox.applyResults(batch.sent, [
      { id: a!.feedbackId, status: 'applied' },
      { id: b!.feedbackId, status: 'stale' },
      { id: c!.feedbackId, status: 'rejected', error: 'origin not allowed' },
      { id: d!.feedbackId, status: 'rejected', reason: CLOCK_AHEAD, error: 'ahead' },
    ]);
    expect(changed.map((s) => [s.key, s.state])).toEqual([['a', 'synced'], ['b', 'synced'], ['c', 'rejected']]);
    expect((await outbox.statuses(['c']))[0]).toMatchObject({ state: 'rejected', error: 'origin not allowed' });
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 2, rejected: 1 });
    // Re-stamped from the corrected clock, sent again; rejected is never sent again.
    await outbox.setClockOffset(-3_600_000);
    const [restamped] = await outbox.restamp([d!]);
    expect(Date.parse(restamped!.updatedAt)).toBeLessThan(Date.parse(d!.updatedAt));
    const again = await outbox.takeBatch('c1');
    expect(again.sent.map((s) => s.key)).toEqual(['d']);
  });

  it('a row changed while its batch was in flight stays pending', async () => {
    const outbox = fresh();
    await outbox.save({ target: target('k'), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('c1');
    await outbox.save({ target: target('k'), rating: { thumb: 'down' } });
    await outbox.applyResults(batch.sent, [{ id: batch.sent[0]!.feedbackId, status: 'applied' }]);
    expect((await outbox.statuses(['k']))[0]).toMatchObject({ state: 'pending', rating: { thumb: 'down' } });
  });

  it('refuses a row too large to send, with the reason', async () => {
    const outbox = fresh();
    await outbox.save({ target: { ...target('big'), output: 'x'.repeat(5000) }, rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('c1', { maxBytes: 2000 });
    expect(batch.mutations).toHaveLength(0);
    expect(batch.refused[0]).toMatchObject({ state: 'rejected', error: expect.stringMatching(/too large/) });
  });
});
