import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/open.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings, type RatingSpec } from '../../test/helpers/ratings.ts';
import { agreement } from './agreement.ts';
import { krippendorffAlpha } from './krippendorff.ts';

let store: Store;

beforeAll(async () => {
  store = await openTestStore();
  const specs: RatingSpec[] = [];
  const rate = (key: string, model: string, votes: (['up' | 'down', number?])[]) =>
    votes.forEach(([thumb, stars], i) => specs.push({ rater: `r${i}`, key, model, thumb, ...(stars ? { stars } : {}) }));
  rate('t1', 'a', [['up', 5], ['up', 4]]);
  rate('t2', 'a', [['down', 1], ['down', 2]]);
  rate('t3', 'a', [['up', 5], ['down', 1]]); // fully disputed
  rate('t4', 'b', [['up'], ['up'], ['down']]);
  rate('t5', 'b', [['up']]); // one rater: not a unit
  await seedRatings(store, 'w', specs);
});
afterAll(() => store.close());

describe('agreement', () => {
  it('computes nominal alpha for thumbs and ordinal alpha for stars over targets with two or more raters', async () => {
    const r = await agreement(store.db, 'w');
    expect(r.overall.targets).toBe(4);
    const thumbs = [[0, 2], [2, 0], [1, 1], [1, 2]];
    expect(r.overall.thumbs.alpha).toBeCloseTo(krippendorffAlpha(thumbs, 'nominal').alpha!, 12);
    // Pairs: t1 2/2 agree, t2 2/2, t3 0/2, t4 2/6 → 6/12.
    expect(r.overall.thumbs.percentAgreement).toBeCloseTo(6 / 12, 12);
    const stars = [[0, 0, 0, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 1]];
    expect(r.overall.stars.alpha).toBeCloseTo(krippendorffAlpha(stars, 'ordinal').alpha!, 12);
    expect(r.overall.stars.units).toBe(3);
  });

  it('splits by model and lists the most disputed targets first', async () => {
    const r = await agreement(store.db, 'w');
    expect(r.byModel.map((m) => [m.model, m.targets])).toEqual([['a', 3], ['b', 1]]);
    // model b: one unit (up, up, down): 2 agreeing ordered pairs of 6.
    expect(r.byModel[1]!.thumbs.percentAgreement).toBeCloseTo(2 / 6, 12);
    expect(r.disputed.map((d) => d.targetKey)).toEqual(['t3', 't4', 't1', 't2']);
    expect(r.disputed[0]).toMatchObject({ model: 'a', raters: 2, up: 1, down: 1, disagreement: 1 });
    // t1: thumbs agree, stars 5 vs 4: one step of four.
    expect(r.disputed[2]!.disagreement).toBeCloseTo(0.25, 12);
  });

  it('filters by model', async () => {
    const r = await agreement(store.db, 'w', { model: 'b' });
    expect(r.overall.targets).toBe(1);
    expect(r.disputed.map((d) => d.targetKey)).toEqual(['t4']);
  });
});
