import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedbackInput, type Feedback, type Target } from '../../shared/schemas.ts';
import { uuidv7 } from '../../shared/ids.ts';
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

/** A record as GET /v1/feedback returns it: written by this rater on another device. */
function serverRecord(key: string, extra: Partial<Feedback> = {}): Feedback {
  return {
    id: uuidv7(),
    target: target(key),
    rating: { thumb: 'up' },
    comment: 'from the laptop',
    createdAt: '2026-01-15T08:00:00.000Z',
    updatedAt: '2026-01-15T08:00:00.000Z',
    receivedAt: '2026-01-15T08:00:01.000Z',
    raterId: 'rater_1',
    workspaceId: 'default',
    clientId: 'ext-laptop',
    ...extra,
  };
}

/** Saves, sends and settles a vote, as a sync run would. */
async function saveSynced(outbox: ReturnType<typeof testOutbox>, key: string, rating: { thumb: 'up' | 'down' }) {
  const row = await outbox.save({ target: target(key), rating });
  const batch = await outbox.takeBatch('client-1');
  await outbox.applyResults(batch.sent, batch.sent.map((s) => ({ id: s.feedbackId, status: 'applied' as const })));
  return row;
}

describe('adopting the rater\'s own records from the server', () => {
  it('makes a server record the synced row of its target, with the server id and only the FeedbackInput fields', async () => {
    const outbox = testOutbox();
    const record = serverRecord('k1', { rating: { thumb: 'down', stars: 2 }, tags: ['wrong'] });
    const changed = await outbox.adopt([record]);
    expect(changed).toEqual([{ key: 'k1', state: 'synced', rating: { thumb: 'down', stars: 2 }, comment: 'from the laptop' }]);
    const row = (await outbox.get('k1'))!;
    expect(row).toMatchObject({ key: 'k1', feedbackId: record.id, op: 'upsert', state: 'synced', updatedAt: record.updatedAt, sentUpdatedAt: record.updatedAt });
    expect(Object.keys(row.feedback!).sort()).toEqual(['comment', 'createdAt', 'id', 'rating', 'tags', 'target', 'updatedAt']);
    expect(FeedbackInput.parse(row.feedback)).toEqual(row.feedback);
    expect(await outbox.counts()).toEqual({ pending: 0, synced: 1, rejected: 0 });
    expect(await outbox.hasPending()).toBe(false);
    // Adopting the same record again changes nothing.
    expect(await outbox.adopt([record])).toEqual([]);
  });

  it('a re-vote after adopting updates the server record: same id, same createdAt, newer updatedAt', async () => {
    const outbox = testOutbox();
    const record = serverRecord('k1', { updatedAt: '2026-03-01T00:00:00.000Z' }); // ahead of this device's clock
    await outbox.adopt([record]);
    const revote = await outbox.save({ target: target('k1'), rating: { thumb: 'down' } });
    expect(revote.feedbackId).toBe(record.id);
    expect(revote.feedback!.createdAt).toBe(record.createdAt);
    expect(revote.updatedAt > record.updatedAt).toBe(true);
    const batch = await outbox.takeBatch('client-1');
    expect(batch.mutations).toEqual([{ id: record.id, op: 'upsert', updatedAt: revote.updatedAt, feedback: revote.feedback }]);
    // An undo of an adopted vote is a delete of the server record, not a silent local forget.
    const undone = await outbox.undo('k1');
    expect(undone).toMatchObject({ op: 'delete', feedbackId: record.id, state: 'pending' });
  });

  it('local wins when its row is pending, rejected, or at least as new', async () => {
    const outbox = testOutbox();
    await outbox.save({ target: target('rejected'), rating: { thumb: 'down' } });
    const batch = await outbox.takeBatch('client-1');
    await outbox.applyResults(batch.sent, [{ id: batch.sent[0]!.feedbackId, status: 'rejected', error: 'no' }]);
    const newer = await saveSynced(outbox, 'newer', { thumb: 'down' }); // 2026-02-01, after the server's 2026-01-15
    const same = await saveSynced(outbox, 'same', { thumb: 'down' });
    const pending = await outbox.save({ target: target('pending'), rating: { thumb: 'down' } });
    const changed = await outbox.adopt([
      serverRecord('pending', { updatedAt: '2026-12-01T00:00:00.000Z' }),
      serverRecord('rejected', { updatedAt: '2026-12-01T00:00:00.000Z' }),
      serverRecord('newer'),
      serverRecord('same', { id: same.feedbackId, updatedAt: same.updatedAt, rating: { thumb: 'up' } }),
    ]);
    expect(changed).toEqual([]);
    expect((await outbox.get('pending'))).toMatchObject({ state: 'pending', feedbackId: pending.feedbackId, feedback: { rating: { thumb: 'down' } } });
    expect((await outbox.get('rejected'))).toMatchObject({ state: 'rejected', error: 'no' });
    expect((await outbox.get('newer'))).toMatchObject({ state: 'synced', feedbackId: newer.feedbackId, feedback: { rating: { thumb: 'down' } } });
    expect((await outbox.get('same'))!.feedback!.rating).toEqual({ thumb: 'down' });
  });

  it('a newer vote from another device replaces an older synced one, and its id is kept from then on', async () => {
    for (const phoneFirst of [true, false]) {
      const outbox = testOutbox();
      const mine = await saveSynced(outbox, 'k1', { thumb: 'up' });
      // The phone re-voted later with its own id; the server superseded this device's record and
      // lists it as a tombstone beside the phone's live one, in either order.
      const phone = serverRecord('k1', { rating: { thumb: 'down' }, updatedAt: '2026-02-02T00:00:00.000Z' });
      const superseded = serverRecord('k1', { id: mine.feedbackId, updatedAt: mine.updatedAt, deleted: true });
      const changed = await outbox.adopt(phoneFirst ? [phone, superseded] : [superseded, phone]);
      expect(changed).toEqual([{ key: 'k1', state: 'synced', rating: { thumb: 'down' }, comment: 'from the laptop' }]);
      expect((await outbox.get('k1'))!.feedbackId).toBe(phone.id);
      expect(await outbox.db.ratings.count()).toBe(1);
      expect((await outbox.save({ target: target('k1'), rating: { stars: 4 } })).feedbackId).toBe(phone.id);
    }
  });

  it('a tombstone removes the synced row of that record only', async () => {
    const outbox = testOutbox();
    const deletedElsewhere = serverRecord('gone');
    await outbox.adopt([deletedElsewhere, serverRecord('kept')]);
    const mine = await saveSynced(outbox, 'other-id', { thumb: 'up' });
    const pendingHere = await saveSynced(outbox, 'pending', { thumb: 'up' });
    vi.advanceTimersByTime(1000);
    await outbox.save({ target: target('pending'), rating: { thumb: 'down' } });
    const changed = await outbox.adopt([
      { ...deletedElsewhere, deleted: true, updatedAt: '2026-01-20T00:00:00.000Z' },
      // Same key, another id (an older record superseded here): leaves this device's vote alone.
      serverRecord('other-id', { deleted: true, updatedAt: '2026-12-01T00:00:00.000Z' }),
      // A deleted record whose local row has a re-vote waiting: the re-vote will bring it back.
      serverRecord('pending', { id: pendingHere.feedbackId, deleted: true, updatedAt: '2026-12-01T00:00:00.000Z' }),
      // Tombstone of something never seen here.
      serverRecord('unknown', { deleted: true }),
    ]);
    expect(changed).toEqual([{ key: 'gone', state: 'none' }]);
    expect(await outbox.get('gone')).toBeUndefined();
    expect((await outbox.get('kept'))!.state).toBe('synced');
    expect((await outbox.get('other-id'))!.feedbackId).toBe(mine.feedbackId);
    expect((await outbox.get('pending'))!.state).toBe('pending');
    expect(await outbox.get('unknown')).toBeUndefined();
  });

  it('a tombstone older than the synced version it names does not remove it', async () => {
    const outbox = testOutbox();
    const mine = await saveSynced(outbox, 'k1', { thumb: 'up' });
    expect(await outbox.adopt([serverRecord('k1', { id: mine.feedbackId, deleted: true, updatedAt: '2026-01-01T00:00:00.000Z' })])).toEqual([]);
    expect((await outbox.get('k1'))!.state).toBe('synced');
  });

  it('skips a record that is not a valid FeedbackInput, and adopts the rest', async () => {
    const outbox = testOutbox();
    const bad = serverRecord('bad', { rating: {} as Feedback['rating'] });
    const changed = await outbox.adopt([bad, serverRecord('good')]);
    expect(changed.map((s) => s.key)).toEqual(['good']);
    expect(await outbox.get('bad')).toBeUndefined();
  });

  it('keeps adopted rows over the history cap, pruning older synced history instead', async () => {
    const outbox = testOutbox({ historyCap: 2 });
    for (const k of ['h1', 'h2']) {
      vi.advanceTimersByTime(1000);
      await saveSynced(outbox, k, { thumb: 'up' });
    }
    // Older than all local history, yet the ones on screen now.
    const changed = await outbox.adopt([serverRecord('old-1'), serverRecord('old-2')]);
    expect(changed.map((s) => s.state)).toEqual(['synced', 'synced']);
    expect((await outbox.statuses(['old-1', 'old-2', 'h1', 'h2'])).map((s) => s.state)).toEqual(['synced', 'synced', 'none', 'none']);
  });
});
