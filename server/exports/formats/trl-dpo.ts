/**
 * Hugging Face TRL preference data, conversational with an explicit prompt:
 * {prompt: [turns…], chosen: [assistant], rejected: [assistant]} (DPOTrainer and friends).
 */
import { assistant } from './chat.ts';
import { pairsOf } from './pairs.ts';
import { jsonLine, type ExampleFormat } from './types.ts';

export const trlDpo: ExampleFormat = {
  name: 'trl-dpo',
  description: 'TRL preference JSONL {prompt, chosen, rejected} (conversational)',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'examples',
  lines(group, _options, tally) {
    return pairsOf(group, tally).map((p) => ({
      side: p.side,
      how: p.how,
      text: jsonLine({ prompt: group.prompt, chosen: [assistant(p.chosen)], rejected: [assistant(p.rejected)] }),
    }));
  },
};
