/**
 * Preference pairs on the same prompt, for the DPO formats: an up-rated answer against a
 * down-rated one (regenerations rated differently are answers to the same prompt, so they pair
 * here too), and a correction against the answer it corrects. Pairs never cross the split: both
 * answers come from the same side.
 */
import type { ExampleSide, PromptGroup } from '../examples.ts';

/** At most this many rating pairs per prompt and side, so one popular prompt cannot flood a dataset. */
export const MAX_PAIRS_PER_PROMPT = 16;

export interface Pair {
  side: ExampleSide;
  chosen: string;
  rejected: string;
  source: 'rating' | 'correction';
}

export function pairsOf(group: PromptGroup, skipped: { count: number }): Pair[] {
  const pairs: Pair[] = [];
  const sides = new Set(group.examples.map((e) => e.side));
  for (const side of sides) {
    const ups = group.examples.filter((e) => e.side === side && e.label === 'up');
    const downs = group.examples.filter((e) => e.side === side && e.label === 'down');
    if (!ups.length || !downs.length) {
      skipped.count += ups.length + downs.length;
      continue;
    }
    // Round robin: every answer is used at least once, without the cross product's blow-up.
    const count = Math.min(Math.max(ups.length, downs.length), MAX_PAIRS_PER_PROMPT);
    for (let i = 0; i < count; i++) {
      pairs.push({ side, chosen: ups[i % ups.length]!.output, rejected: downs[i % downs.length]!.output, source: 'rating' });
    }
  }
  for (const c of group.corrections) {
    if (c.original.trim()) pairs.push({ side: c.side, chosen: c.corrected, rejected: c.original, source: 'correction' });
  }
  return pairs;
}
