import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './krippendorff.ts';

/** Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units, values 1–5, missing data. */
const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null];
const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3];
const C = [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null];
const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null];
const units = A.map((_, i) => {
  const counts = [0, 0, 0, 0, 0];
  for (const observer of [A, B, C, D]) {
    const v = observer[i];
    if (v != null) counts[v - 1]!++;
  }
  return counts;
});

describe('krippendorffAlpha', () => {
  it('reproduces the published example: nominal 0.743, ordinal 0.815, interval 0.849', () => {
    const nominal = krippendorffAlpha(units, 'nominal');
    expect(nominal.alpha).toBeCloseTo(0.743, 3);
    expect(nominal.units).toBe(11); // unit 12 has a single value and is not pairable
    expect(nominal.values).toBe(40);
    expect(krippendorffAlpha(units, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(units, 'interval').alpha).toBeCloseTo(0.849, 3);
  });

  it('nominal alpha for two raters by hand: 10 units, 8 agree', () => {
    // 8 units (up, up)… the coincidence matrix: o_uu = 2·5 = 10, o_dd = 2·3 = 6, o_ud = o_du = 2.
    // n_u = 12, n_d = 8, n = 20. alpha = 1 − (n−1)·(o_ud + o_du) / (2·n_u·n_d) = 1 − 19·4/192.
    const data = [
      ...Array.from({ length: 5 }, () => [0, 2]),
      ...Array.from({ length: 3 }, () => [2, 0]),
      [1, 1],
      [1, 1],
    ];
    const r = krippendorffAlpha(data, 'nominal');
    expect(r.alpha).toBeCloseTo(1 - (19 * 4) / 192, 10);
    expect(r.percentAgreement).toBeCloseTo(0.8, 10);
  });

  it('is 1 for perfect agreement with variation, and undefined without variation or pairs', () => {
    expect(krippendorffAlpha([[2, 0], [0, 3]], 'nominal').alpha).toBe(1);
    expect(krippendorffAlpha([[3, 0], [2, 0]], 'nominal').alpha).toBeNull();
    expect(krippendorffAlpha([[1, 0], [0, 1]], 'nominal')).toMatchObject({ alpha: null, units: 0, percentAgreement: null });
  });

  it('ordinal penalises a 1-vs-5 disagreement more than a 4-vs-5 one', () => {
    const base = [[0, 0, 0, 2, 0], [2, 0, 0, 0, 0], [0, 0, 0, 0, 2], [0, 2, 0, 0, 0]];
    const near = krippendorffAlpha([...base, [0, 0, 0, 1, 1]], 'ordinal').alpha!;
    const far = krippendorffAlpha([...base, [1, 0, 0, 0, 1]], 'ordinal').alpha!;
    expect(near).toBeGreaterThan(far);
  });
});
