/**
 * Gemini (gemini.google.com). Each turn has an id (the conversation-container's id, the
 * message-content's "r_…" id) and each shown version a draft id ("rc_…"): the key is the draft when
 * the page shows it (a regenerated draft is another answer), else the response id. The model is
 * not shown per answer: the mode picker's label (e.g. "Fast") is used.
 */
import { defineChatSite } from './chat-site.ts';
import { matchUrl } from './dom.ts';

/** All Gemini selectors, each a list of fallbacks tried in order. */
export const SELECTORS = {
  answer: ['model-response', '.conversation-container .response-container'],
  userTurn: ['user-query', '.conversation-container .query-content'],
  answerText: ['message-content .markdown', 'message-content', '.model-response-text'],
  userText: ['.query-text-line', '.query-text'],
  streaming: ['[aria-busy="true"]'],
  stopButton: ['button[aria-label="Stop response"]', '.send-button.stop'],
  pageModel: ['[data-test-id="logo-pill-label-container"]', 'bard-mode-switcher .mdc-button__label'],
  draftId: '[data-test-draft-id]',
  messageContent: 'message-content[id^="message-content-id-"]',
  turn: '.conversation-container[id]',
} as const;

/** /app/{id}, /gem/{gem}/{id}. */
const CONVERSATION = /\/(?:app|gem\/[\w-]+)\/([\w-]+)/;

export const gemini = defineChatSite({
  id: 'gemini',
  site: 'gemini.google.com',
  hosts: ['gemini.google.com'],
  testUrls: ['https://gemini.google.com/app (ask two questions, show drafts)', 'https://gemini.google.com/app/<id>'],
  selectors: SELECTORS,
  watchAttributes: ['aria-busy'],
  conversationId: (url) => matchUrl(url.pathname, CONVERSATION),
  messageId(answer) {
    const draft = answer.querySelector(SELECTORS.draftId)?.getAttribute('data-test-draft-id');
    if (draft) return draft;
    const content = answer.querySelector(SELECTORS.messageContent)?.id.replace('message-content-id-', '');
    if (content) return content;
    const turn = answer.closest(SELECTORS.turn)?.id;
    return turn ? `r_${turn}` : undefined;
  },
});
