/**
 * Hugging Face TRL unpaired preference data (KTOTrainer), conversational:
 * {prompt: [turns…], completion: [assistant], label: true|false}. Up-rated answers and
 * corrections are desirable (true), down-rated answers undesirable (false); ties are left out.
 */
import { assistant } from './chat.ts';
import { unlabelledReason } from '../tally.ts';
import { jsonLine, type ExampleFormat, type Line } from './types.ts';

export const trlKto: ExampleFormat = {
  name: 'trl-kto',
  description: 'TRL unpaired preference JSONL {prompt, completion, label} (conversational)',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'examples',
  lines(group, _options, tally) {
    const out: Line[] = [];
    for (const ex of group.examples) {
      if (!ex.label) {
        tally.leftOut(unlabelledReason(ex), ex.records);
        continue;
      }
      out.push({ side: ex.side, how: ex.how, text: jsonLine({ prompt: group.prompt, completion: [assistant(ex.output)], label: ex.label === 'up' }) });
    }
    for (const c of group.corrections) {
      out.push({ side: c.side, how: c.how, text: jsonLine({ prompt: group.prompt, completion: [assistant(c.corrected)], label: true }) });
    }
    return out;
  },
};
