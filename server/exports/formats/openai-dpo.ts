/**
 * OpenAI preference fine-tuning (DPO): {input: {messages}, preferred_output: [assistant],
 * non_preferred_output: [assistant]}.
 */
import { assistant } from './chat.ts';
import { pairsOf } from './pairs.ts';
import { jsonLine, type ExampleFormat } from './types.ts';

export const openaiDpo: ExampleFormat = {
  name: 'openai-dpo',
  description: 'OpenAI preference fine-tuning JSONL: preferred vs non-preferred answers to the same prompt',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'examples',
  lines(group, _options, tally) {
    return pairsOf(group, tally).map((p) => ({
      side: p.side,
      how: p.how,
      text: jsonLine({
        input: { messages: group.prompt },
        preferred_output: [assistant(p.chosen)],
        non_preferred_output: [assistant(p.rejected)],
      }),
    }));
  },
};
