import { describe, expect, it } from 'vitest';
import type { Example, PromptGroup } from '../examples.ts';
import { emptyCounts } from '../stream.ts';
import { tallyInto } from '../tally.ts';
import { MAX_PAIRS_PER_PROMPT, pairsOf } from './pairs.ts';

const origin = { feedbackId: 'f', createdAt: '2026-01-01T00:00:00Z', model: null, intent: null, project: null };
function ex(output: string, up: number, down: number, records = up + down || 1): Example {
  return { how: 'rated_output', output, up, down, label: up > down ? 'up' : down > up ? 'down' : null, side: 'all', records, origin };
}

describe('pairsOf', () => {
  it('reports every answer that makes no pair, by reason, in records', () => {
    const counts = emptyCounts();
    const ups = Array.from({ length: MAX_PAIRS_PER_PROMPT + 4 }, (_, i) => ex(`up ${i}`, 1, 0));
    const group: PromptGroup = {
      promptHash: 'p',
      prompt: [{ role: 'user', content: 'q' }],
      examples: [...ups, ex('down', 0, 2), ex('tie', 1, 1), ex('label only', 0, 0)],
      corrections: [
        { how: 'corrected_analysis', corrected: '{"category":"a"}', original: '', side: 'all', records: 3, origin },
        { how: 'corrected_output', corrected: 'better', original: 'down', side: 'all', records: 1, origin },
      ],
    };
    const pairs = pairsOf(group, tallyInto(counts));
    expect(pairs.filter((p) => p.how === 'pair_from_ratings')).toHaveLength(MAX_PAIRS_PER_PROMPT);
    expect(pairs.filter((p) => p.how === 'pair_from_corrected_output')).toEqual([{ side: 'all', chosen: 'better', rejected: 'down', how: 'pair_from_corrected_output' }]);
    expect(counts.leftOut).toEqual({ over_pair_cap: 4, tied_votes: 2, no_vote: 1, no_original: 3 });
    expect(counts.skipped).toBe(10);
  });

  it('an answer alone on its side has no counterpart unless a correction rejects it', () => {
    const counts = emptyCounts();
    const group: PromptGroup = {
      promptHash: 'p',
      prompt: [{ role: 'user', content: 'q' }],
      examples: [ex('wrong', 0, 1), ex('fine', 1, 0, 2)],
      corrections: [],
    };
    group.examples[0]!.side = 'validation';
    group.examples[1]!.side = 'train';
    group.corrections.push({ how: 'corrected_output', corrected: 'right', original: 'wrong', side: 'validation', records: 1, origin });
    const pairs = pairsOf(group, tallyInto(counts));
    expect(pairs).toEqual([{ side: 'validation', chosen: 'right', rejected: 'wrong', how: 'pair_from_corrected_output' }]);
    expect(counts.leftOut).toEqual({ no_counterpart: 2 });
  });
});
