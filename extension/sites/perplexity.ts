/**
 * Perplexity (www.perplexity.ai). Answers are div#markdown-content-{n}; the page gives no message
 * id, so keys are site + thread + position + content hash. The model picker shows "Model" unless
 * the user picked one, so no model is recorded.
 */
import { defineChatSite } from './chat-site.ts';
import { matchUrl } from './dom.ts';

/** All Perplexity selectors, each a list of fallbacks tried in order. */
export const SELECTORS = {
  answer: ['div[id^="markdown-content-"]', '.prose.inline'],
  /** The first query is an h1, later ones divs; both carry the Tailwind group name. */
  userTurn: ['[class*="group/query"]', 'h1'],
  answerText: ['.prose'],
  /** Perplexity marks no streaming answer in the fixture; the Stop button (last answer only) is the signal. */
  stopButton: ['button[aria-label="Stop"]', 'button[data-testid="stop-generating-response-button"]'],
} as const;

/** /search/{slug}, /page/{slug}. */
const CONVERSATION = /\/(?:search|page)\/([\w.-]+)/;

export const perplexity = defineChatSite({
  id: 'perplexity',
  site: 'perplexity.ai',
  hosts: ['www.perplexity.ai', 'perplexity.ai'],
  testUrls: ['https://www.perplexity.ai/ (ask two questions, rewrite one)', 'https://www.perplexity.ai/search/<slug>'],
  selectors: SELECTORS,
  conversationId: (url) => matchUrl(url.pathname, CONVERSATION),
});
