/**
 * ChatGPT (chatgpt.com). Each answer carries the site's message id (data-message-id) and the model
 * that wrote it (data-message-model-slug), so keys are the site's ids and the model is per message.
 */
import { defineChatSite } from './chat-site.ts';
import { matchUrl } from './dom.ts';

/** All ChatGPT selectors, each a list of fallbacks tried in order. */
export const SELECTORS = {
  answer: ['div[data-message-author-role="assistant"]', 'article[data-turn="assistant"]'],
  userTurn: ['div[data-message-author-role="user"]', 'article[data-turn="user"]'],
  answerText: ['.markdown', '.prose'],
  userText: ['.whitespace-pre-wrap'],
  streaming: ['.result-streaming', '.streaming-animation', '[data-is-streaming="true"]'],
  stopButton: ['[data-testid="stop-button"]', 'button[aria-label="Stop streaming"]'],
  messageId: '[data-message-id]',
  model: '[data-message-model-slug]',
} as const;

/** /c/{id}, /g/{gpt}/c/{id}, /share/{id}. */
const CONVERSATION = /\/(?:c|share)\/([\w-]+)/;

export const chatgpt = defineChatSite({
  id: 'chatgpt',
  site: 'chatgpt.com',
  hosts: ['chatgpt.com', 'chat.openai.com'],
  testUrls: ['https://chatgpt.com/ (ask two questions, regenerate one)', 'https://chatgpt.com/g/<any GPT>/c/<id>'],
  selectors: SELECTORS,
  conversationId: (url) => matchUrl(url.pathname, CONVERSATION),
  messageId: (answer) =>
    (answer.closest(SELECTORS.messageId) ?? answer.querySelector(SELECTORS.messageId))?.getAttribute('data-message-id') ??
    undefined,
  model: (answer) =>
    (answer.closest(SELECTORS.model) ?? answer.querySelector(SELECTORS.model))?.getAttribute('data-message-model-slug') ??
    undefined,
});
