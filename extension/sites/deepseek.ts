/**
 * DeepSeek (chat.deepseek.com). Every message is a `.ds-message`; answers are those holding a
 * `.ds-markdown`. The reasoning ("Thought for …") is in `.ds-think-content`, rendered as
 * `.ds-markdown` too, and is not the answer. The thread is virtualised and the page gives no
 * message id, so keys hash the prompt and the answer's text (not the position, which shifts as
 * messages unmount), the prompt is the message right before the answer (none if that one is
 * unmounted, rather than an older prompt), and the slot is the prompt's text. The model is the
 * checked model toggle (`div[data-model-type][aria-checked]`, e.g. "DeepThink").
 * Facts from robertpiosik/CodeWebChat (2026-08) and ypyf/deepseek-chat-exporter (2026-03).
 */
import { defineChatSite } from './chat-site.ts';
import { textHash } from './dom/keys.ts';
import { queryAll } from './dom/query.ts';
import { plainText } from './dom/read-text.ts';

/** All DeepSeek selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-08': {
    answer: ['.ds-message:has(.ds-markdown)'],
    userTurn: ['.ds-message:not(:has(.ds-markdown))'],
    answerText: ['.ds-markdown'],
    /** The reasoning; and the page's div buttons (a code block's "Copy"), which are not <button>s. */
    answerSkip: ['.ds-think-content', '[role="button"]'],
    pageModel: ['div[data-model-type][aria-checked="true"]'],
    message: '.ds-message',
  },
} as const;

/** /a/chat/s/{id}. */
const CONVERSATION = /\/a\/chat\/s\/([\w-]+)/;

const S = SELECTORS['2026-08'];

/** The user message right before the answer, or null if the message before it is not one (unmounted). */
function promptOf(answer: Element): Element | null {
  const messages = queryAll(answer.ownerDocument, S.message);
  const before = messages[messages.indexOf(answer) - 1];
  return before && !before.matches(S.answer[0]) ? before : null;
}

export const deepseek = defineChatSite({
  id: 'deepseek',
  site: 'chat.deepseek.com',
  hosts: ['chat.deepseek.com'],
  testUrls: [
    'https://chat.deepseek.com/ (ask two questions with DeepThink on, regenerate one)',
    'https://chat.deepseek.com/a/chat/s/<id> of a long conversation: scroll up and back (messages unmount)',
  ],
  layouts: [
    {
      name: '2026-08',
      selectors: S,
      fallbackKey: 'content',
      promptOf,
      slot(answer) {
        const prompt = promptOf(answer);
        return prompt ? `prompt-${textHash(plainText(prompt))}` : undefined;
      },
    },
  ],
  conversation: CONVERSATION,
});
