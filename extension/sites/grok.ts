/**
 * Grok (grok.com). Every message is a `div[id^="response-"]` (`response-<uuid>`); the user's carry
 * `.items-end`, the answers do not, so keys are the site's uuid. Text in
 * `.message-bubble .response-content-markdown`; the model picker `#model-select-trigger`
 * (urzeye/ophel, 2026-01; robertpiosik/CodeWebChat, 2026-08; saved page of 2026-03 from
 * revivalstack/ai-chat-exporter, which shows no picker).
 */
import { defineChatSite } from './chat-site.ts';

/** All Grok selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-03': {
    answer: ['div[id^="response-"]:not(.items-end)', '[id^="response-"].items-start'],
    userTurn: ['div[id^="response-"].items-end'],
    answerText: ['.message-bubble .response-content-markdown', '.response-content-markdown', '.message-bubble'],
    userText: ['.message-bubble .response-content-markdown', '.message-bubble'],
    /** A guess (not measured): the composer's stop button while Grok writes. */
    stopButton: ['button[aria-label="Stop model response"]', 'button[aria-label="Stop"]'],
    pageModel: ['#model-select-trigger'],
  },
} as const;

/** /c/{id}. */
const CONVERSATION = /\/c\/([\w-]+)/;

export const grok = defineChatSite({
  id: 'grok',
  site: 'grok.com',
  hosts: ['grok.com'],
  testUrls: ['https://grok.com/ (ask two questions, regenerate one)', 'https://grok.com/c/<id>'],
  layouts: [
    {
      name: '2026-03',
      selectors: SELECTORS['2026-03'],
      messageId: (answer) => /^response-([\w-]+)$/.exec(answer.id)?.[1],
    },
  ],
  conversation: CONVERSATION,
});
