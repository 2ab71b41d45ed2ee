/**
 * The Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998, method 3).
 * Unlike the textbook p ± z·sqrt(p(1−p)/n) it stays inside [0, 1] and does not collapse to a
 * zero-width interval at 0/n or n/n, so a model with 3 of 3 thumbs up does not outrank one with
 * 95 of 100. See docs/decisions/0020-rollups-and-wilson-intervals.md.
 */

/** The two-sided 95% normal quantile, Φ⁻¹(0.975). */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson interval for `successes` out of `n`; with n = 0 nothing is known: [0, 1]. */
export function wilson(successes: number, n: number, z: number = Z95): Interval {
  if (!(n > 0)) return { low: 0, high: 1 };
  if (successes < 0 || successes > n) throw new RangeError(`successes (${successes}) must be between 0 and n (${n})`);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const margin = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact at the edges (the formula gives 0 and 1 there up to rounding).
  return {
    low: successes === 0 ? 0 : Math.max(0, center - margin),
    high: successes === n ? 1 : Math.min(1, center + margin),
  };
}
