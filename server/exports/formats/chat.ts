/** Chat messages of a rated answer's prompt, shaped for trainers. */

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface StoredTarget {
  prompt?: string;
  output?: string;
  messages?: { role: string; content: string }[];
}

/**
 * The prompt as chat turns: earlier turns (system, user, assistant — tool turns and empty turns
 * are left out: trainers' chat formats reject them without their tool-call context), then the
 * last user turn. An earlier turn equal to the prompt at the end is not repeated.
 */
export function promptTurns(target: StoredTarget): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const m of target.messages ?? []) {
    if ((m.role === 'system' || m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string' && m.content.trim()) {
      turns.push({ role: m.role, content: m.content });
    }
  }
  const prompt = target.prompt ?? '';
  const last = turns[turns.length - 1];
  if (last && last.role === 'user' && last.content === prompt) turns.pop();
  turns.push({ role: 'user', content: prompt });
  return turns;
}

export function assistant(content: string): ChatTurn {
  return { role: 'assistant', content };
}
