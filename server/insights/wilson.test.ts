import { describe, expect, it } from 'vitest';
import { wilson, Z95 } from './wilson.ts';

describe('wilson', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3
  // (score interval without continuity correction), to the four decimals printed there.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i matches Newcombe 1998 [%f, %f]', (s, n, low, high) => {
    const i = wilson(s, n);
    expect(i.low).toBeCloseTo(low, 4);
    expect(i.high).toBeCloseTo(high, 4);
  });

  it('8 of 10 by hand: center (0.8 + z²/20)/(1 + z²/10), margin z/(1+z²/10)·sqrt(0.016 + z²/400)', () => {
    const z2 = Z95 * Z95;
    const denom = 1 + z2 / 10;
    const center = (0.8 + z2 / 20) / denom;
    const margin = (Z95 / denom) * Math.sqrt(0.016 + z2 / 400);
    expect(center - margin).toBeCloseTo(0.49016, 5);
    expect(center + margin).toBeCloseTo(0.94332, 5);
    const i = wilson(8, 10);
    expect(i.low).toBeCloseTo(0.49016, 5);
    expect(i.high).toBeCloseTo(0.94332, 5);
  });

  it('is exact at the edges and honest with nothing: [0, 1] for n = 0', () => {
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
    expect(wilson(10, 10).high).toBe(1);
    expect(wilson(0, 10).low).toBe(0);
    // 3/3 must not outrank 95/100 by its lower bound.
    expect(wilson(3, 3).low).toBeLessThan(wilson(95, 100).low);
  });

  it('narrows as n grows at the same share, and always contains the share', () => {
    let width = 1;
    for (const n of [10, 100, 1000, 10000]) {
      const i = wilson(0.7 * n, n);
      expect(i.low).toBeLessThan(0.7);
      expect(i.high).toBeGreaterThan(0.7);
      expect(i.high - i.low).toBeLessThan(width);
      width = i.high - i.low;
    }
  });

  it('refuses impossible counts', () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
  });
});
