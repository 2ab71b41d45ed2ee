import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMutations } from '../store/feedback.ts';
import type { Store } from '../store/open.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { stats } from './stats.ts';

let store: Store;
let toDelete: string[];
const now = new Date('2026-03-10T15:00:00Z');

beforeAll(async () => {
  store = await openTestStore();
  // Current 7-day window: 2026-03-04 … 2026-03-10. Previous: 2026-02-25 … 2026-03-03.
  await seedRatings(store, 'w', [
    { rater: 'ann', thumb: 'up', stars: 5, day: '2026-03-10', conversationId: 'c1', context: { latency_ms: 100, tokens_used: 50 } },
    { rater: 'ann', thumb: 'up', day: '2026-03-10', conversationId: 'c1', context: { latency_ms: 300 } },
    { rater: 'bob', thumb: 'down', stars: 2, day: '2026-03-04', conversationId: 'c2', context: { tokens_used: 150 } },
    { rater: 'bob', stars: 4, day: '2026-03-05' },
    { rater: 'cat', thumb: 'up', day: '2026-03-03', conversationId: 'c9' },
    { rater: 'cat', thumb: 'down', day: '2026-02-25', conversationId: 'c9' },
    // Outside both windows.
    { rater: 'dan', thumb: 'up', day: '2026-02-24' },
    { rater: 'dan', thumb: 'up', day: '2026-03-11' },
  ]);
  toDelete = await seedRatings(store, 'w', [{ rater: 'eve', thumb: 'down', day: '2026-03-06', conversationId: 'c3' }]);
});
afterAll(() => store.close());

describe('stats', () => {
  it('gives totals, distributions, distinct raters and conversations, means, and the previous window', async () => {
    const s = await stats(store.db, 'w', { days: 7, now });
    expect(s.current).toMatchObject({
      since: '2026-03-04',
      until: '2026-03-11',
      ratings: 5,
      up: 2,
      down: 2,
      shareUp: 0.5,
      stars: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 1 },
      meanStars: 11 / 3,
      raters: 3,
      conversations: 3,
      meanLatencyMs: 200,
      meanTokensUsed: 100,
    });
    expect(s.previous).toMatchObject({ since: '2026-02-25', until: '2026-03-04', ratings: 2, up: 1, down: 1, raters: 1, conversations: 1, meanLatencyMs: null });
    expect(s.series.map((d) => d.day)).toEqual(['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    expect(s.series.map((d) => d.ratings)).toEqual([1, 1, 1, 0, 0, 0, 2]);
    expect(s.series[6]).toMatchObject({ up: 2, down: 0, meanStars: 5 });
  });

  it('forgets a deleted rating, its rater and its conversation', async () => {
    await applyMutations(store.db, { workspaceId: 'w', raterId: 'admin', role: 'admin', tokenId: null, clientId: null }, [
      { id: toDelete[0], op: 'delete', updatedAt: '2026-03-10T16:00:00Z' },
    ]);
    const s = await stats(store.db, 'w', { days: 7, now });
    expect(s.current).toMatchObject({ ratings: 4, down: 1, raters: 2, conversations: 2 });
  });

  it('30 days takes in both windows', async () => {
    const s = await stats(store.db, 'w', { days: 30, now });
    expect(s.current.ratings).toBe(7);
    expect(s.series).toHaveLength(30);
    expect(s.previous.ratings).toBe(0);
  });
});
