/**
 * Mistral Le Chat (chat.mistral.ai). Answers are `div[data-message-author-role="assistant"]`, their
 * text the parts `[data-message-part-type="answer"]` (other parts, such as reasoning or tool
 * calls, are not read); robertpiosik/CodeWebChat, 2026-08. The page gives no message id known
 * to us, so keys are site + conversation + position + content hash. The user turn
 * (`data-message-author-role="user"`) is the counterpart of the measured answer marker, not a
 * measurement. No streaming marker or model label is known yet.
 */
import { defineChatSite } from './chat-site.ts';

/** All Le Chat selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-08': {
    answer: ['div[data-message-author-role="assistant"]', '[data-message-author-role="assistant"]'],
    userTurn: ['div[data-message-author-role="user"]', '[data-message-author-role="user"]'],
    answerText: ['[data-message-part-type="answer"]'],
  },
} as const;

/** /chat/{id}. */
const CONVERSATION = /\/chat\/([\w-]+)/;

export const mistral = defineChatSite({
  id: 'mistral',
  site: 'chat.mistral.ai',
  hosts: ['chat.mistral.ai'],
  testUrls: ['https://chat.mistral.ai/chat (ask two questions, with Think on for one)', 'https://chat.mistral.ai/chat/<id>'],
  layouts: [{ name: '2026-08', selectors: SELECTORS['2026-08'] }],
  conversation: CONVERSATION,
});
