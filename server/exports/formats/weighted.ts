/**
 * Weighted examples: {messages, weight, metadata: {model, intent, project, createdAt, feedbackId}},
 * weight 2.0 for an up-rated answer and 0.5 for a down-rated one by default (configurable).
 * Corrections count as up-rated answers. Ties (as many up as down) are left out.
 */
import { assistant } from './chat.ts';
import { jsonLine, type ExampleFormat, type Line } from './types.ts';
import type { Origin } from '../examples.ts';
import { unlabelledReason } from '../tally.ts';

export const DEFAULT_WEIGHTS = { up: 2.0, down: 0.5 } as const;

function metadata(origin: Origin, extra: Record<string, unknown>) {
  return {
    model: origin.model,
    intent: origin.intent,
    project: origin.project,
    createdAt: origin.createdAt,
    feedbackId: origin.feedbackId,
    ...extra,
  };
}

export const weighted: ExampleFormat = {
  name: 'weighted',
  description: 'JSONL {messages, weight, metadata}: weight 2.0 for up-rated, 0.5 for down-rated answers',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'examples',
  lines(group, { weights }, tally) {
    const out: Line[] = [];
    for (const ex of group.examples) {
      if (!ex.label) {
        tally.leftOut(unlabelledReason(ex), ex.records);
        continue;
      }
      out.push({
        side: ex.side,
        how: ex.how,
        text: jsonLine({
          messages: [...group.prompt, assistant(ex.output)],
          weight: weights[ex.label],
          metadata: metadata(ex.origin, { source: ex.how === 'rated_analysis' ? 'rated_analysis' : 'rating', up: ex.up, down: ex.down }),
        }),
      });
    }
    for (const c of group.corrections) {
      out.push({
        side: c.side,
        how: c.how,
        text: jsonLine({
          messages: [...group.prompt, assistant(c.corrected)],
          weight: weights.up,
          metadata: metadata(c.origin, { source: c.how === 'corrected_analysis' ? 'corrected_analysis' : 'correction' }),
        }),
      });
    }
    return out;
  },
};
