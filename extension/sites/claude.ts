/**
 * Claude (claude.ai). Answers carry no message id in the page, so keys are site + conversation +
 * position + content hash. Each answer sits in a div[data-is-streaming] that says when it is done.
 * The model is not shown per answer: the model picker's label (the conversation's model) is used.
 */
import { defineChatSite } from './chat-site.ts';
import { matchUrl } from './dom.ts';

/** All Claude selectors, each a list of fallbacks tried in order. */
export const SELECTORS = {
  answer: ['div[data-is-streaming]:has(.font-claude-response)', 'div[data-is-streaming]', '.font-claude-response'],
  userTurn: ['[data-testid="user-message"]', '.font-user-message'],
  /** The prose of the answer, without tool-use status lines. */
  answerText: ['.standard-markdown', '.font-claude-response-body'],
  streaming: ['[data-is-streaming="true"]'],
  stopButton: ['button[aria-label="Stop response"]', 'button[aria-label="Stop Response"]'],
  pageModel: ['[data-testid="model-selector-dropdown"] .whitespace-nowrap', '[data-testid="model-selector-dropdown"]'],
} as const;

/** /chat/{uuid}, /project/…/chat/{uuid}. */
const CONVERSATION = /\/chat\/([\w-]+)/;

export const claude = defineChatSite({
  id: 'claude',
  site: 'claude.ai',
  hosts: ['claude.ai'],
  testUrls: ['https://claude.ai/new (ask two questions, retry one)', 'https://claude.ai/chat/<id> with an artifact'],
  selectors: SELECTORS,
  watchAttributes: ['data-is-streaming'],
  conversationId: (url) => matchUrl(url.pathname, CONVERSATION),
});
