import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/open.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings, type RatingSpec } from '../../test/helpers/ratings.ts';
import { accuracy } from './accuracy.ts';
import { Z95 } from './wilson.ts';

let store: Store;
const repeat = (n: number, spec: RatingSpec): RatingSpec[] => Array.from({ length: n }, () => ({ ...spec }));

beforeAll(async () => {
  store = await openTestStore();
  await seedRatings(store, 'w', [
    // model a: 8 up, 2 down (+ stars 4 and 2 on two of them), on 2026-01-01
    ...repeat(7, { model: 'a', intent: 'code', thumb: 'up', day: '2026-01-01' }),
    { model: 'a', intent: 'code', thumb: 'up', stars: 4, day: '2026-01-01' },
    { model: 'a', intent: 'chat', thumb: 'down', stars: 2, day: '2026-01-02' },
    { model: 'a', intent: 'chat', thumb: 'down', day: '2026-01-02' },
    // model b: 3 of 3 up (thin), and one stars-only rating
    ...repeat(3, { model: 'b', thumb: 'up', day: '2026-01-02' }),
    { model: 'b', stars: 5, day: '2026-01-02' },
    // model c: 95 of 100 up
    ...repeat(95, { model: 'c', thumb: 'up', day: '2026-01-03' }),
    ...repeat(5, { model: 'c', thumb: 'down', day: '2026-01-03' }),
    // no model
    { thumb: 'down', day: '2026-01-03' },
  ]);
  // Another workspace must never show up.
  await seedRatings(store, 'other', repeat(20, { model: 'a', thumb: 'down', day: '2026-01-01' }));
});
afterAll(() => store.close());

describe('accuracy', () => {
  it('per model: counts, share, Wilson bounds by hand, mean stars, thin flag, best lower bound first', async () => {
    const r = await accuracy(store.db, 'w', { groupBy: ['model'] });
    expect(r.groups.map((g) => g.key.model)).toEqual(['c', 'a', 'b', null]);
    const a = r.groups.find((g) => g.key.model === 'a')!;
    expect(a).toMatchObject({ n: 10, up: 8, down: 2, shareUp: 0.8, meanStars: 3, starsN: 2, ratings: 10, thin: false });
    // 8/10 by hand: center (0.8 + z²/20)/(1 + z²/10) ± z/(1 + z²/10)·sqrt(0.8·0.2/10 + z²/400)
    const z2 = Z95 ** 2;
    const center = (0.8 + z2 / 20) / (1 + z2 / 10);
    const margin = (Z95 / (1 + z2 / 10)) * Math.sqrt(0.016 + z2 / 400);
    expect(a.wilson.low).toBeCloseTo(center - margin, 12);
    expect(a.wilson.high).toBeCloseTo(center + margin, 12);
    expect(a.wilson.low).toBeCloseTo(0.4902, 4);
    expect(a.wilson.high).toBeCloseTo(0.9433, 4);

    const b = r.groups.find((g) => g.key.model === 'b')!;
    expect(b).toMatchObject({ n: 3, up: 3, down: 0, shareUp: 1, meanStars: 5, ratings: 4, thin: true });
    expect(b.wilson.high).toBe(1);
    expect(b.wilson.low).toBeCloseTo(0.4385, 4); // 3/3 by hand: low = 3/(3 + z²) = 3/6.8415 = 0.43850
    const c = r.groups.find((g) => g.key.model === 'c')!;
    expect(c).toMatchObject({ n: 100, up: 95, shareUp: 0.95, thin: false, meanStars: null });
    const none = r.groups.find((g) => g.key.model === null)!;
    expect(none).toMatchObject({ n: 1, up: 0, down: 1, shareUp: 0 });
  });

  it('groups by several dimensions', async () => {
    const r = await accuracy(store.db, 'w', { groupBy: ['model', 'intent'] });
    const keys = r.groups.map((g) => `${g.key.model}/${g.key.intent}`).sort();
    expect(keys).toEqual(['a/chat', 'a/code', 'b/null', 'c/null', 'null/null']);
    expect(r.groups.find((g) => g.key.intent === 'code')).toMatchObject({ n: 8, up: 8 });
  });

  it('restricts to [since, until): whole UTC days from the rollups, any other instant exactly', async () => {
    const jan2 = await accuracy(store.db, 'w', { since: '2026-01-02', until: '2026-01-03' });
    expect(jan2.groups.map((g) => [g.key.model, g.n])).toEqual([['b', 3], ['a', 2]]);
    // A date-time inside a day counts the records before it, not the whole day (ratings at 12:00).
    const upToMorningJan2 = await accuracy(store.db, 'w', { until: '2026-01-02T08:00:00Z' });
    expect(upToMorningJan2.groups.map((g) => [g.key.model, g.n])).toEqual([['a', 8]]);
    const upToEveningJan2 = await accuracy(store.db, 'w', { until: '2026-01-02T18:00:00Z' });
    expect(upToEveningJan2.groups.find((g) => g.key.model === 'a')!.n).toBe(10);
    const beforeJan2 = await accuracy(store.db, 'w', { until: '2026-01-02T00:00:00Z' });
    expect(beforeJan2.groups.map((g) => [g.key.model, g.n])).toEqual([['a', 8]]);
  });

  it('sees only its own workspace', async () => {
    const other = await accuracy(store.db, 'other');
    expect(other.groups).toHaveLength(1);
    expect(other.groups[0]).toMatchObject({ n: 20, down: 20 });
    expect((await accuracy(store.db, 'nobody')).groups).toEqual([]);
  });
});
