/**
 * Agreement between two raters over the same units (issue 16): Cohen's kappa, percent agreement and
 * the confusion matrix. Used for pairwise rater agreement in a queue (server/queues/agreement.ts)
 * and for a judge against people (calibration). Categories are strings (a thumb, a star count as
 * text, a label); kappa = (p_o − p_e) / (1 − p_e), with p_e from the two raters' marginals
 * (Cohen, 1960). Exact: computed from the pairs, no sampling.
 */

export interface PairAgreement {
  /** Units both raters rated. */
  n: number;
  /** null with no units. */
  percentAgreement: number | null;
  /** null with no units, or when both raters used one and the same category only (p_e = 1). */
  kappa: number | null;
  /** The categories seen, sorted: rows are rater A's value, columns rater B's. */
  categories: string[];
  matrix: number[][];
}

/** `pairs`: one [a, b] per unit both rated. `categories` fixes the matrix order (else sorted, numbers by value). */
export function cohensKappa(pairs: readonly (readonly [string, string])[], categories?: readonly string[]): PairAgreement {
  const seen = new Set<string>(categories ?? []);
  for (const [a, b] of pairs) {
    seen.add(a);
    seen.add(b);
  }
  const cats = categories ? [...categories, ...[...seen].filter((c) => !categories.includes(c)).sort(byValue)] : [...seen].sort(byValue);
  const index = new Map(cats.map((c, i) => [c, i]));
  const matrix = cats.map(() => new Array<number>(cats.length).fill(0));
  for (const [a, b] of pairs) matrix[index.get(a)!]![index.get(b)!]!++;
  const n = pairs.length;
  if (n === 0) return { n, percentAgreement: null, kappa: null, categories: cats, matrix };
  let agree = 0;
  let expected = 0;
  for (let i = 0; i < cats.length; i++) {
    agree += matrix[i]![i]!;
    const row = matrix[i]!.reduce((s, x) => s + x, 0);
    const col = matrix.reduce((s, r) => s + r[i]!, 0);
    expected += (row / n) * (col / n);
  }
  const po = agree / n;
  const kappa = expected >= 1 ? null : (po - expected) / (1 - expected);
  return { n, percentAgreement: po, kappa, categories: cats, matrix };
}

/** Numbers in numeric order (star counts), then strings. */
function byValue(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  if (Number.isFinite(x)) return -1;
  if (Number.isFinite(y)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
