/**
 * PLACEHOLDER until server/insights (issue 4) lands its Wilson interval; then this file re-exports
 * theirs. The Wilson score interval at 95 % for `successes` out of `n`.
 */
const Z = 1.959963984540054;

export function wilsonInterval(successes: number, n: number): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = Z * Z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
