import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedbackInput, type Target } from '../../shared/schemas.ts';
import { InvalidRatingError } from './outbox.ts';
import { testOutbox } from './test-db.ts';

const target = (key: string, extra: Partial<Target> = {}): Target => ({
  kind: 'chat_response',
  key,
  site: 'chatgpt',
  conversationId: 'c1',
  model: 'gpt-5',
  prompt: 'What is 2+2?',
  output: '4',
  ...extra,
});

beforeEach(() => {
  // Only the clock: fake-indexeddb schedules its own work on real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-02-01T10:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('outbox state machine', () => {
  it('writes a rating as pending, with a valid feedback record', async () => {
    const outbox = testOutbox();
    const row = await outbox.save({ target: target('k1'), rating: { thumb: 'down' }, correction: { output: '5' } });
    expect(row.state).toBe('pending');
    expect(FeedbackInput.parse(row.feedback)).toMatchObject({ id: row.feedbackId, rating: { thumb: 'down' }, correction: { output: '5' } });
    expect(row.feedback!.createdAt).toBe('2026-02-01T10:00:00.000Z');
    expect(await outbox.statuses(['k1', 'other'])).toEqual([
      { key: 'k1', state: 'pending', rating: { thumb: 'down' }, correction: { output: '5' } },
      { key: 'other', state: 'none' },
    ]);
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 0, rejected: 0 });
  });

  it('a re-vote replaces the pending mutation: same id, newer updatedAt, one row', async () => {
    const outbox = testOutbox();
    const first = await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    // Same millisecond: updatedAt must still move forward, or the server could not order the two.
    const second = await outbox.save({ target: target('k1'), rating: { thumb: 'down' } });
    expect(second.feedbackId).toBe(first.feedbackId);
    expect(second.updatedAt > first.updatedAt).toBe(true);
    expect(second.feedback!.createdAt).toBe(first.feedback!.createdAt);
    expect(await outbox.db.ratings.count()).toBe(1);
    const batch = await outbox.takeBatch('client-1');
    expect(batch.mutations).toHaveLength(1);
    expect(batch.mutations[0]).toMatchObject({ id: first.feedbackId, op: 'upsert', updatedAt: second.updatedAt });
  });

  it('applied, unchanged and stale settle as synced; rejected keeps its reason and is never sent again', async () => {
    const outbox = testOutbox();
    for (const k of ['a', 'b', 'c', 'd']) await outbox.save({ target: target(k), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('client-1');
    expect(batch.mutations).toHaveLength(4);
    const [a, b, c, d] = batch.sent;
    const changed = await outbox.applyResults(batch.sent, [
      { id: a!.feedbackId, status: 'applied' },
      { id: b!.feedbackId, status: 'unchanged' },
      { id: c!.feedbackId, status: 'stale' },
      { id: d!.feedbackId, status: 'rejected', error: 'target.key: must not be empty' },
    ]);
    expect(changed.map((s) => [s.key, s.state])).toEqual([
      ['a', 'synced'],
      ['b', 'synced'],
      ['c', 'synced'],
      ['d', 'rejected'],
    ]);
    expect(await outbox.counts()).toEqual({ pending: 0, synced: 3, rejected: 1 });
    expect((await outbox.statuses(['d']))[0]).toMatchObject({ state: 'rejected', error: 'target.key: must not be empty' });
    expect((await outbox.takeBatch('client-1')).mutations).toHaveLength(0);
    expect(await outbox.hasPending()).toBe(false);

    // A new vote on the rejected target is a new version, not a retry.
    vi.advanceTimersByTime(1000);
    await outbox.save({ target: target('d'), rating: { thumb: 'down' } });
    expect((await outbox.statuses(['d']))[0]).toMatchObject({ state: 'pending', rating: { thumb: 'down' } });
    expect((await outbox.takeBatch('client-1')).mutations).toHaveLength(1);
  });

  it('a vote changed while its batch is in flight stays pending and is sent next time', async () => {
    const outbox = testOutbox();
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('client-1');
    vi.advanceTimersByTime(500);
    const revote = await outbox.save({ target: target('k1'), rating: { thumb: 'down' } });
    await outbox.applyResults(batch.sent, [{ id: batch.sent[0]!.feedbackId, status: 'applied' }]);
    expect((await outbox.get('k1'))!.state).toBe('pending');
    const next = await outbox.takeBatch('client-1');
    expect(next.mutations).toEqual([{ id: revote.feedbackId, op: 'upsert', updatedAt: revote.updatedAt, feedback: revote.feedback }]);
    await outbox.applyResults(next.sent, [{ id: revote.feedbackId, status: 'applied' }]);
    expect((await outbox.statuses(['k1']))[0]).toMatchObject({ state: 'synced', rating: { thumb: 'down' } });
  });

  it('undo of a vote that never left the device forgets it', async () => {
    const outbox = testOutbox();
    await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    expect(await outbox.undo('k1')).toBeUndefined();
    expect(await outbox.db.ratings.count()).toBe(0);
    expect(await outbox.undo('nothing-here')).toBeUndefined();
  });

  it('undo of a sent vote is a delete mutation; once synced the row goes away', async () => {
    const outbox = testOutbox();
    const saved = await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('client-1');
    await outbox.applyResults(batch.sent, [{ id: saved.feedbackId, status: 'applied' }]);
    const undone = await outbox.undo('k1');
    expect(undone).toMatchObject({ op: 'delete', state: 'pending', feedbackId: saved.feedbackId });
    expect((await outbox.statuses(['k1']))[0]).toEqual({ key: 'k1', state: 'none' });
    const del = await outbox.takeBatch('client-1');
    expect(del.mutations).toEqual([{ id: saved.feedbackId, op: 'delete', updatedAt: undone!.updatedAt }]);
    await outbox.applyResults(del.sent, [{ id: saved.feedbackId, status: 'applied' }]);
    expect(await outbox.get('k1')).toBeUndefined();
    expect(await outbox.counts()).toEqual({ pending: 0, synced: 0, rejected: 0 });
  });

  it('a re-vote after an undo revives the same feedback id', async () => {
    const outbox = testOutbox();
    const saved = await outbox.save({ target: target('k1'), rating: { thumb: 'up' } });
    await outbox.takeBatch('client-1');
    await outbox.undo('k1');
    const again = await outbox.save({ target: target('k1'), rating: { stars: 4 } });
    expect(again).toMatchObject({ feedbackId: saved.feedbackId, op: 'upsert', state: 'pending' });
  });

  it('refuses a rating that could never be accepted, and writes nothing', async () => {
    const outbox = testOutbox();
    await expect(outbox.save({ target: target('k1'), rating: {} })).rejects.toThrow(InvalidRatingError);
    await expect(outbox.save({ target: target(''), rating: { thumb: 'up' } })).rejects.toThrow(/target.key/);
    expect(await outbox.db.ratings.count()).toBe(0);
  });
});

describe('batches', () => {
  it('takes at most 500 mutations, oldest first', async () => {
    const outbox = testOutbox();
    await outbox.db.transaction('rw', outbox.db.ratings, async () => {
      for (let i = 0; i < 1200; i++) {
        vi.advanceTimersByTime(1);
        await outbox.save({ target: target(`k${String(i).padStart(4, '0')}`), rating: { thumb: 'up' } });
      }
    });
    const first = await outbox.takeBatch('client-1');
    expect(first.mutations).toHaveLength(500);
    expect(first.sent[0]!.key).toBe('k0000');
    expect(first.sent[499]!.key).toBe('k0499');
    expect(first.bytes).toBe(new TextEncoder().encode(JSON.stringify({ clientId: 'client-1', mutations: first.mutations })).length);
  });

  it('keeps a batch under the byte limit, and rejects locally a single mutation that can never fit', async () => {
    const outbox = testOutbox();
    const big = 'é'.repeat(30_000); // 60,000 bytes in UTF-8
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1);
      await outbox.save({ target: target(`k${i}`, { output: big }), rating: { thumb: 'up' } });
    }
    vi.advanceTimersByTime(1);
    await outbox.save({ target: target('huge', { output: 'x'.repeat(100_000), prompt: 'y'.repeat(100_000) }), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('client-1', { maxBytes: 150_000 });
    expect(batch.mutations).toHaveLength(2);
    expect(batch.bytes).toBeLessThanOrEqual(150_000);
    expect(batch.refused).toHaveLength(0);
    let all = batch.mutations.length;
    for (;;) {
      const b = await outbox.takeBatch('client-1', { maxBytes: 150_000 });
      // Nothing is settled in between, so the same rows would come back: settle them as applied.
      await outbox.applyResults(b.sent, b.sent.map((s) => ({ id: s.feedbackId, status: 'applied' as const })));
      all += b.mutations.length;
      if (b.refused.length) {
        expect(b.refused[0]!.key).toBe('huge');
        expect(b.refused[0]!.error).toMatch(/too large to send/);
      }
      if (!b.mutations.length && !b.refused.length) break;
    }
    expect((await outbox.get('huge'))!.state).toBe('rejected');
    // The first batch was never settled, so its two rows were sent again: 5 + 2.
    expect(all).toBe(7);
  });
});

describe('history', () => {
  it('keeps at most historyCap synced rows, dropping the oldest', async () => {
    const outbox = testOutbox({ historyCap: 3 });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1000);
      await outbox.save({ target: target(`k${i}`), rating: { thumb: 'up' } });
    }
    await outbox.save({ target: target('pending-one'), rating: { thumb: 'up' } });
    const batch = await outbox.takeBatch('client-1', { maxMutations: 5 });
    await outbox.applyResults(batch.sent, batch.sent.map((s) => ({ id: s.feedbackId, status: 'applied' as const })));
    expect(await outbox.counts()).toEqual({ pending: 1, synced: 3, rejected: 0 });
    expect((await outbox.statuses(['k0', 'k1', 'k2', 'k4'])).map((s) => s.state)).toEqual(['none', 'none', 'synced', 'synced']);
    expect((await outbox.recent(2)).map((r) => r.key)).toEqual(['pending-one', 'k4']);
  });

  it('keeps one client id for the installation', async () => {
    const outbox = testOutbox();
    const id = await outbox.clientId();
    expect(id).toMatch(/^ext-[0-9a-f-]{36}$/);
    expect(await outbox.clientId()).toBe(id);
  });
});
