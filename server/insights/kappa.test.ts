import { describe, expect, it } from 'vitest';
import { cohensKappa } from './kappa.ts';

describe('cohensKappa', () => {
  it('matches a hand-computed table', () => {
    // 50 units: yes/yes 20, yes/no 5, no/yes 10, no/no 15 (the textbook example).
    // p_o = 35/50 = 0.7; A says yes 25/50, B says yes 30/50: p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, () => ['yes', 'yes'] as [string, string]),
      ...Array.from({ length: 5 }, () => ['yes', 'no'] as [string, string]),
      ...Array.from({ length: 10 }, () => ['no', 'yes'] as [string, string]),
      ...Array.from({ length: 15 }, () => ['no', 'no'] as [string, string]),
    ];
    const r = cohensKappa(pairs, ['yes', 'no']);
    expect(r.n).toBe(50);
    expect(r.percentAgreement).toBeCloseTo(0.7, 12);
    expect(r.kappa).toBeCloseTo(0.4, 12);
    expect(r.matrix).toEqual([[20, 5], [10, 15]]);
  });

  it('is null with nothing to compare, or when both raters only ever said the same one thing', () => {
    expect(cohensKappa([]).kappa).toBeNull();
    const same = cohensKappa([['up', 'up'], ['up', 'up']]);
    expect(same.percentAgreement).toBe(1);
    expect(same.kappa).toBeNull();
  });

  it('orders star counts by value and is negative below chance', () => {
    const r = cohensKappa([['5', '1'], ['1', '5'], ['10', '10']]);
    expect(r.categories).toEqual(['1', '5', '10']);
    expect(r.kappa!).toBeLessThan(0.5);
    expect(cohensKappa([['up', 'down'], ['down', 'up']]).kappa).toBeCloseTo(-1, 12);
  });
});
