/**
 * Redaction stays linear on adversarial input (no catastrophic backtracking), as ratios measured in
 * the same run: for each text of test/fixtures/adversarial-text.ts, the time to redact one text of
 * 100k characters (LIMITS.textMaxChars) over the time to redact ten of 10k — the same characters.
 * Linear work gives about 1; a quadratic pattern about 10 (a quadratic email pattern once took
 * 0.5 s for 10k and would take a minute for 100k). Each figure is the best of a few runs, so a
 * busy machine slows a run down rather than skewing it.
 */
import { LIMITS } from '../../shared/limits.ts';
import { redact } from '../../shared/redact.ts';
import { ADVERSARIAL_PATTERNS, adversarialText } from '../fixtures/adversarial-text.ts';
import type { Bench } from './index.ts';

const SMALL = 10_000;
const LARGE = LIMITS.textMaxChars;
const RUNS = 7;

/** Best time of RUNS runs, each redacting `text` `times` times. */
function bestMs(text: string, times = 1): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    for (let k = 0; k < times; k++) redact(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const bench: Bench = {
  name: 'redact',
  description: `redaction of one ${LARGE}-character adversarial text vs ${LARGE / SMALL} of ${SMALL} (linear ≈ 1)`,
  async run() {
    let worst = { pattern: '', ratio: 0, smallMs: 0, largeMs: 0 };
    let largeTotalMs = 0;
    for (const pattern of ADVERSARIAL_PATTERNS) {
      // Small first: a quadratic pattern shows in seconds instead of hanging the run.
      const smallMs = Math.max(bestMs(adversarialText(pattern, SMALL), LARGE / SMALL), 0.05);
      const largeMs = bestMs(adversarialText(pattern, LARGE));
      largeTotalMs += largeMs;
      const ratio = largeMs / smallMs;
      if (ratio > worst.ratio) worst = { pattern, ratio, smallMs, largeMs };
    }
    return {
      patterns: ADVERSARIAL_PATTERNS.length,
      worstRatio: Number(worst.ratio.toFixed(1)),
      worstPattern: JSON.stringify(worst.pattern),
      worstSmallMs: Number(worst.smallMs.toFixed(2)),
      worstLargeMs: Number(worst.largeMs.toFixed(2)),
      largeTotalMs: Math.round(largeTotalMs),
      goal: `worstRatio < 3 (linear ≈ 1, quadratic ≈ ${LARGE / SMALL})`,
    };
  },
};
export default bench;
