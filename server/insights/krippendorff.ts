/**
 * Krippendorff's alpha from per-unit value counts (Krippendorff, "Computing Krippendorff's
 * Alpha-Reliability", 2011, section C): build the coincidence matrix o_ck from every unit rated
 * by two or more raters, then alpha = 1 − (n − 1) · Σ o_ck δ²_ck / Σ n_c n_k δ²_ck.
 *
 * Counts per unit are all it needs, which is exactly what the per-target rollup keeps, so alpha
 * is computed without reading a single raw rating. See docs/decisions/0021-agreement-from-vote-counts.md.
 */

export type Metric = 'nominal' | 'ordinal' | 'interval';

export interface AlphaResult {
  /** null when undefined: fewer than two pairable values, or no variation at all (expected disagreement 0). */
  alpha: number | null;
  /** Units with at least two values. */
  units: number;
  /** Pairable values (n in Krippendorff's notation). */
  values: number;
  /** Share of agreeing pairs among all pairs of values within a unit. */
  percentAgreement: number | null;
}

/**
 * What alpha needs of a set of units, summed exactly in integers: per number of values m in a unit
 * (m ≥ 2), how many units had m values and Σ n_c · n_k over them (n_c · (n_c − 1) on the diagonal).
 * o_ck = Σ_m pairs_m[c][k] / (m − 1), so these sums add and subtract unit by unit: the agreement
 * rollup (rollup_agreement, migration 0240) keeps them, and alpha never reads the units again.
 */
export interface Tally {
  /** Categories. */
  k: number;
  /** m → units with m values. */
  units: Map<number, number>;
  /** m → k × k pair counts. */
  pairs: Map<number, number[][]>;
}

export function emptyTally(k: number): Tally {
  return { k, units: new Map(), pairs: new Map() };
}

/** Adds (sign 1) or takes away (−1) one unit's counts. */
export function tallyUnit(tally: Tally, unit: readonly number[], sign: 1 | -1 = 1): void {
  const m = unit.reduce((s, x) => s + x, 0);
  if (m < 2) return;
  tally.units.set(m, (tally.units.get(m) ?? 0) + sign);
  let p = tally.pairs.get(m);
  if (!p) tally.pairs.set(m, (p = Array.from({ length: tally.k }, () => new Array<number>(tally.k).fill(0))));
  for (let c = 0; c < unit.length; c++) {
    const nc = unit[c]!;
    if (!nc) continue;
    for (let d = 0; d < unit.length; d++) {
      const nd = unit[d]!;
      if (nd) p[c]![d]! += sign * nc * (c === d ? nd - 1 : nd);
    }
  }
}

/**
 * @param units one count vector per unit over the categories, in order (for ordinal/interval the
 *   index order is the scale order). Units with fewer than two values are ignored.
 * @param scale numeric value of each category for the interval metric (default: 0, 1, 2, …).
 */
export function krippendorffAlpha(units: readonly (readonly number[])[], metric: Metric, scale?: readonly number[]): AlphaResult {
  const tally = emptyTally(units.reduce((max, u) => Math.max(max, u.length), 0));
  for (const unit of units) tallyUnit(tally, unit);
  return alphaOf(tally, metric, scale);
}

/** Alpha, percent agreement and counts from a tally (in ascending m, so equal tallies give equal figures). */
export function alphaOf(tally: Tally, metric: Metric, scale?: readonly number[]): AlphaResult {
  const k = tally.k;
  const o: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let pairable = 0;
  let agreeingPairs = 0;
  let pairs = 0;
  for (const m of [...tally.units.keys()].sort((a, b) => a - b)) {
    const count = tally.units.get(m)!;
    if (!count) continue;
    pairable += count;
    pairs += count * m * (m - 1);
    const p = tally.pairs.get(m);
    if (!p) continue;
    for (let c = 0; c < k; c++) {
      agreeingPairs += p[c]![c]!;
      for (let d = 0; d < k; d++) o[c]![d]! += p[c]![d]! / (m - 1);
    }
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  const delta2 = (c: number, d: number): number => {
    if (c === d) return 0;
    if (metric === 'nominal') return 1;
    if (metric === 'interval') {
      const vc = scale?.[c] ?? c;
      const vd = scale?.[d] ?? d;
      return (vc - vd) ** 2;
    }
    const [lo, hi] = c < d ? [c, d] : [d, c];
    let between = 0;
    for (let g = lo; g <= hi; g++) between += nc[g]!;
    return (between - (nc[c]! + nc[d]!) / 2) ** 2;
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      const w = delta2(c, d);
      if (!w) continue;
      observed += o[c]![d]! * w;
      expected += nc[c]! * nc[d]! * w;
    }
  }
  const alpha = n > 1 && expected > 0 ? 1 - ((n - 1) * observed) / expected : null;
  return { alpha, units: pairable, values: n, percentAgreement: pairs ? agreeingPairs / pairs : null };
}
