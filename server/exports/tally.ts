/**
 * What an export says about itself beyond its lines: how each written example was made, and why
 * every record that did not become one was left out, by reason (ADR 0037). A format tags each
 * line with how it was made (`Line.how`, counted as the line is written) and reports each example
 * it cannot use with `leftOut(reason, records)`; the stream reports the records that never reach
 * a format. `skipped` in the counts is the sum of `leftOut`, so "0 not usable" means nothing was.
 */

/** How a written line was made. */
export const MADE_BY = [
  /** Record formats (jsonl, csv): one line per record. */
  'record',
  /** An answer rated up (or down, in formats that keep both) by the majority of its records' votes. */
  'rated_output',
  /** A text correction (`correction.output`) as the answer. */
  'corrected_output',
  /** An item's analysis (its prediction) as JSON, rated by the review's votes. */
  'rated_analysis',
  /** The item's analysis with the review's `correction.fields` over it, as JSON. */
  'corrected_analysis',
  /** DPO: an up-rated answer against a down-rated one to the same prompt. */
  'pair_from_ratings',
  /** DPO: a text correction against the answer it corrects. */
  'pair_from_corrected_output',
  /** DPO: a corrected analysis against the original analysis. */
  'pair_from_corrected_analysis',
  /** jsonl with `gold=adjudicated`: an adjudicated rating in place of the reviews of its target and criterion (gold.ts). */
  'gold',
] as const;
export type MadeBy = (typeof MADE_BY)[number];

/** Why a record was left out of an export's lines (counted in records, see `leftOut`). */
export const LEFT_OUT_REASONS = {
  no_prompt_or_answer: 'the record has no prompt or no answer (and targets no item that could give one)',
  no_prompt: 'feedback on an item, but neither the record nor the item gives a prompt (input or error context)',
  no_answer: 'feedback on an item without an analysis, an output or a correction',
  invalid_corrected_analysis: 'correction.fields do not make a valid analysis (e.g. a confidence outside 0–1)',
  no_vote: 'no thumb and no decisive stars (a label only, or 3 stars): the format needs a direction',
  tied_votes: 'as many up as down votes on the same answer',
  rated_down: 'a down-rated answer: supervised fine-tuning trains on good answers only',
  no_counterpart: 'DPO: no answer of the opposite rating to the same prompt on the same side',
  over_pair_cap: 'DPO: beyond the pairs kept per prompt and side (MAX_PAIRS_PER_PROMPT)',
  no_original: 'DPO: a correction with no original answer or analysis to reject',
  replaced_by_gold: 'gold=adjudicated: a review of an adjudicated target and criterion, replaced by the one gold line',
} as const;
export type LeftOutReason = keyof typeof LEFT_OUT_REASONS;

export interface Tally {
  /** `records` records behind an example (or one record) that no line carries, and why. */
  leftOut(reason: LeftOutReason, records: number): void;
}

/** A tally that adds into the counts' `leftOut` and `skipped`. */
export function tallyInto(counts: { leftOut: Partial<Record<LeftOutReason, number>>; skipped: number }): Tally {
  return {
    leftOut(reason, records) {
      if (records <= 0) return;
      counts.leftOut[reason] = (counts.leftOut[reason] ?? 0) + records;
      counts.skipped += records;
    },
  };
}

/** `made` / `leftOut` as a short readable line: "12 rated_output, 3 corrected_analysis". */
export function describeCounts(byKey: Partial<Record<string, number>>): string {
  const parts = Object.entries(byKey)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** Why an example without a majority label cannot be used: no votes at all, or a tie. */
export function unlabelledReason(ex: { up: number; down: number }): 'no_vote' | 'tied_votes' {
  return ex.up === 0 && ex.down === 0 ? 'no_vote' : 'tied_votes';
}

