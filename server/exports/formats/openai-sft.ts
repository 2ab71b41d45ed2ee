/**
 * OpenAI chat fine-tuning (supervised): {messages: [system?, earlier turns…, user, assistant]}.
 * Targets are up-rated answers (by majority) and corrections (the corrected text replaces the
 * answer). Thumbs-down answers are never targets. Earlier assistant turns carry weight 0: they
 * were not rated, so the model should not learn from them. Passes the checks in
 * ../validate-openai-chat.ts (OpenAI's published format rules). A review of an item's analysis
 * (ADR 0037) trains the same way: the approved or corrected analysis, as JSON, is the answer.
 */
import { assistant, type ChatTurn } from './chat.ts';
import { unlabelledReason } from '../tally.ts';
import { jsonLine, type ExampleFormat, type Line } from './types.ts';

type SftMessage = ChatTurn & { weight?: 0 | 1 };

export function sftMessages(prompt: ChatTurn[], answer: string): SftMessage[] {
  return [...prompt.map((t): SftMessage => (t.role === 'assistant' ? { ...t, weight: 0 } : t)), assistant(answer)];
}

export const openaiSft: ExampleFormat = {
  name: 'openai-sft',
  description: 'OpenAI chat fine-tuning JSONL: up-rated answers and corrections as assistant targets',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'examples',
  lines(group, _options, tally) {
    const out: Line[] = [];
    for (const ex of group.examples) {
      if (ex.label === 'up') out.push({ side: ex.side, how: ex.how, text: jsonLine({ messages: sftMessages(group.prompt, ex.output) }) });
      else tally.leftOut(ex.label === 'down' ? 'rated_down' : unlabelledReason(ex), ex.records);
    }
    for (const c of group.corrections) {
      out.push({ side: c.side, how: c.how, text: jsonLine({ messages: sftMessages(group.prompt, c.corrected) }) });
    }
    return out;
  },
};
