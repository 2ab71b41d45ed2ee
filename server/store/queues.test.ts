/**
 * The queue store without HTTP: claims under concurrency (no slot handed out twice, on SQLite and
 * on PostgreSQL with a pool of connections), the lease rules, per-assignee progress, and the
 * projection that marks reviews submitted in the write's transaction (and takes them back when the
 * rater is erased).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { QueueInput } from '../../shared/queues.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { resetClock, setClock } from '../lib/clock.ts';
import { keepingText } from '../lib/program-text.ts';
import { eraseRater } from './erase.ts';
import { applyMutations, type Actor } from './feedback.ts';
import { upsertItems } from './items.ts';
import type { Store } from './open.ts';
import { claimNext, createQueue, getQueue, QueueInputError, type QueueViewer } from './queues.ts';
import { createToken } from './tokens.ts';

const stores: Store[] = [];
afterEach(async () => {
  resetClock();
  for (const s of stores.splice(0)) await s.close();
});

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const analyst: QueueViewer = { workspaceId: 'w1', raterId: 'ana', role: 'analyst' };
const rater = (id: string): QueueViewer => ({ workspaceId: 'w1', raterId: id, role: 'rater' });

async function store(items: number): Promise<Store> {
  setClock(T0);
  const s = await openTestStore();
  stores.push(s);
  await createToken(s.db, { role: 'analyst', name: 'ana', workspaceId: 'w1', raterId: 'ana' });
  const actor = { workspaceId: 'w1', raterId: 'prog', tokenId: null };
  const made = Array.from({ length: items }, (_, i) => ({ key: `i${i}`, kind: 'task', output: `out ${i}` }));
  await upsertItems(s.db, actor, made, keepingText, { now: T0, maxSkewSeconds: 300 });
  return s;
}

async function queue(s: Store, input: Record<string, unknown>) {
  return createQueue(s.db, { workspaceId: 'w1', createdBy: 'ana', input: QueueInput.parse(input) }, T0);
}

function reviewOf(raterId: string, queueId: string, targetKey: string, when: Date, criterion?: string) {
  const actor: Actor = { workspaceId: 'w1', raterId, role: 'rater', tokenId: null, clientId: null };
  const f = {
    id: uuidv7(),
    target: { kind: 'task', key: targetKey },
    rating: { thumb: 'up' },
    queueId,
    ...(criterion ? { criterion } : {}),
    createdAt: when.toISOString(),
    updatedAt: when.toISOString(),
  };
  return { actor, mutation: { id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f } };
}

describe('claimNext', () => {
  it('hands 20 concurrent claimers distinct slots, never more than reviewersPerItem per item', async () => {
    const s = await store(7);
    const q = await queue(s, { name: 'q', itemKeys: Array.from({ length: 7 }, (_, i) => `i${i}`), reviewersPerItem: 2 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => claimNext(s.db, rater(`p${i}`), q.id, T0)));
    const keys = outcomes.flatMap((o) => (o && 'claim' in o ? [o.claim.item.targetKey] : []));
    expect(keys).toHaveLength(14);
    const per = new Map<string, number>();
    for (const k of keys) per.set(k, (per.get(k) ?? 0) + 1);
    expect([...per.values()]).toEqual(Array(7).fill(2));
    expect(outcomes.filter((o) => o && 'none' in o)).toHaveLength(6);
  });

  it('keeps a claim until its lease ends, then gives the item to another; the first rater is offered it last', async () => {
    const s = await store(2);
    const q = await queue(s, { name: 'q', itemKeys: ['i0', 'i1'], leaseSeconds: 30 });
    const first = await claimNext(s.db, rater('a'), q.id, T0);
    expect(first).toMatchObject({ claim: { item: { targetKey: 'item:i0' }, leaseExpiresAt: at(30).toISOString() } });
    expect(await claimNext(s.db, rater('a'), q.id, at(10))).toEqual(first); // same item, same lease
    expect(await claimNext(s.db, rater('b'), q.id, at(10))).toMatchObject({ claim: { item: { targetKey: 'item:i1' } } });
    expect(await claimNext(s.db, rater('c'), q.id, at(29))).toEqual({ none: 'nothing_left' });
    // a's lease lapsed: c takes i0; a, asking again, is offered i1 first (never held) — but b holds it.
    expect(await claimNext(s.db, rater('c'), q.id, at(30))).toMatchObject({ claim: { item: { targetKey: 'item:i0' } } });
    expect(await claimNext(s.db, rater('a'), q.id, at(31))).toEqual({ none: 'nothing_left' });
    const progress = await getQueue(s.db, analyst, q.id, at(31));
    expect(progress!.perAssignee).toEqual([
      { raterId: 'a', done: 0, claimed: 0 },
      { raterId: 'b', done: 0, claimed: 1 },
      { raterId: 'c', done: 0, claimed: 1 },
    ]);
  });

  it('marks a claim submitted when every criterion is rated, completes the queue, and takes it back when the rater is erased', async () => {
    const s = await store(1);
    const q = await queue(s, { name: 'q', itemKeys: ['i0'], criteria: ['overall', 'accuracy'] });
    await claimNext(s.db, rater('a'), q.id, T0);
    const one = reviewOf('a', q.id, 'item:i0', T0);
    await applyMutations(s.db, one.actor, [one.mutation], T0);
    expect((await getQueue(s.db, analyst, q.id, T0))!.progress.reviewsDone).toBe(0);
    const two = reviewOf('a', q.id, 'item:i0', T0, 'accuracy');
    expect((await applyMutations(s.db, two.actor, [two.mutation], T0))[0]!.status).toBe('applied');
    const done = (await getQueue(s.db, analyst, q.id, T0))!;
    expect(done.progress).toEqual({ items: 1, itemsComplete: 1, reviewsNeeded: 1, reviewsDone: 1, complete: true });
    expect(done.completedAt).not.toBeNull();
    expect(done.perAssignee).toEqual([{ raterId: 'a', done: 1, claimed: 0 }]);
    expect(await claimNext(s.db, rater('b'), q.id, T0)).toEqual({ none: 'nothing_left' });

    await eraseRater(s.db, 'w1', 'a');
    const after = (await getQueue(s.db, analyst, q.id, T0))!;
    expect(after.progress).toMatchObject({ reviewsDone: 0, complete: false });
    expect(after.completedAt).toBeNull();
    expect(await claimNext(s.db, rater('b'), q.id, T0)).toMatchObject({ claim: { item: { targetKey: 'item:i0' } } });
  });

  it('refuses unknown item keys by name and an empty filter result', async () => {
    const s = await store(1);
    await expect(queue(s, { name: 'q', itemKeys: ['i0', 'zz'] })).rejects.toMatchObject({ code: 'unknown_items', details: { keys: ['zz'] } });
    await expect(queue(s, { name: 'q', filter: { model: 'none' } })).rejects.toBeInstanceOf(QueueInputError);
  });
});
