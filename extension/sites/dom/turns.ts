/** The conversation before an answer: which user turn is its prompt, and the turns before that. */
import type { ChatMessage } from '../../../shared/schemas.ts';
import { LIMITS } from '../../../shared/limits.ts';

/** -1 if a comes before b in the document, 1 if after, 0 if same. */
export function documentOrder(a: Node, b: Node): number {
  if (a === b) return 0;
  // DOCUMENT_POSITION_FOLLOWING = 4: b follows a.
  return a.compareDocumentPosition(b) & 4 ? -1 : 1;
}

interface Turn {
  role: 'user' | 'assistant';
  el: Element;
}

/**
 * The prompt of an answer (the last user turn before it) and the turns before that prompt, oldest
 * first, capped at LIMITS.messagesMax. `users` and `answers` are each in document order.
 */
export function turnsBefore(
  answer: Element,
  users: readonly Element[],
  answers: readonly Element[],
  read: (turn: Turn) => string,
): { prompt?: string; messages?: ChatMessage[] } {
  const turns: Turn[] = [];
  let u = 0;
  let a = 0;
  // Merge the two ordered lists up to the answer.
  while (u < users.length || a < answers.length) {
    const nextUser = users[u];
    const nextAnswer = answers[a];
    let turn: Turn;
    if (nextUser && (!nextAnswer || documentOrder(nextUser, nextAnswer) < 0)) {
      turn = { role: 'user', el: nextUser };
      u++;
    } else if (nextAnswer) {
      turn = { role: 'assistant', el: nextAnswer };
      a++;
    } else break;
    if (turn.el === answer || documentOrder(turn.el, answer) > 0) break;
    turns.push(turn);
  }
  let promptIndex = -1;
  for (let i = turns.length - 1; i >= 0; i--) {
    if (turns[i]!.role === 'user') {
      promptIndex = i;
      break;
    }
  }
  if (promptIndex < 0) return {};
  const prompt = read(turns[promptIndex]!);
  const earlier = turns.slice(Math.max(0, promptIndex - LIMITS.messagesMax), promptIndex);
  const messages = earlier
    .map((turn) => ({ role: turn.role, content: read(turn) }))
    .filter((m) => m.content.length > 0);
  return { prompt: prompt || undefined, ...(messages.length > 0 ? { messages } : {}) };
}
