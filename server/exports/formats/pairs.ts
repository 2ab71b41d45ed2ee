/**
 * Preference pairs on the same prompt, for the DPO formats: an up-rated answer against a
 * down-rated one (regenerations rated differently are answers to the same prompt, so they pair
 * here too), a text correction against the answer it corrects, and a corrected analysis against
 * the original analysis of the item (ADR 0037). Pairs never cross the split: both answers come
 * from the same side. Every example that makes no pair is reported with its reason.
 */
import type { ExampleSide, PromptGroup } from '../examples.ts';
import { unlabelledReason, type MadeBy, type Tally } from '../tally.ts';

/** At most this many rating pairs per prompt and side, so one popular prompt cannot flood a dataset. */
export const MAX_PAIRS_PER_PROMPT = 16;

export interface Pair {
  side: ExampleSide;
  chosen: string;
  rejected: string;
  how: Extract<MadeBy, `pair_from_${string}`>;
}

export function pairsOf(group: PromptGroup, tally: Tally): Pair[] {
  const pairs: Pair[] = [];
  const sides = new Set([...group.examples.map((e) => e.side), ...group.corrections.map((c) => c.side)]);
  for (const side of sides) {
    const examples = group.examples.filter((e) => e.side === side);
    for (const e of examples) if (!e.label) tally.leftOut(unlabelledReason(e), e.records);
    const ups = examples.filter((e) => e.label === 'up');
    const downs = examples.filter((e) => e.label === 'down');
    // A down-rated answer that a correction on this side rejects is used there.
    const corrected = new Set(group.corrections.filter((c) => c.side === side).map((c) => c.original));
    if (!ups.length || !downs.length) {
      for (const e of [...ups, ...downs]) if (!corrected.has(e.output)) tally.leftOut('no_counterpart', e.records);
      continue;
    }
    // Round robin: every answer is used at least once, without the cross product's blow-up.
    const count = Math.min(Math.max(ups.length, downs.length), MAX_PAIRS_PER_PROMPT);
    for (let i = 0; i < count; i++) {
      pairs.push({ side, chosen: ups[i % ups.length]!.output, rejected: downs[i % downs.length]!.output, how: 'pair_from_ratings' });
    }
    for (const e of [...ups.slice(count), ...downs.slice(count)]) if (!corrected.has(e.output)) tally.leftOut('over_pair_cap', e.records);
  }
  for (const c of group.corrections) {
    if (!c.original.trim()) {
      tally.leftOut('no_original', c.records);
      continue;
    }
    pairs.push({
      side: c.side,
      chosen: c.corrected,
      rejected: c.original,
      how: c.how === 'corrected_analysis' ? 'pair_from_corrected_analysis' : 'pair_from_corrected_output',
    });
  }
  return pairs;
}
