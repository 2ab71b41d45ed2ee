/**
 * Perplexity (www.perplexity.ai). Answers are div#markdown-content-{n}; the page gives no message
 * id, so keys are site + thread + position + content hash. The model picker shows "Model" unless
 * the user picked one, so no model is recorded.
 *
 * One layout, `2026-09`: on 2026-09-25 the user query moved into a bubble rendered by the
 * markdown renderer (`[class*="group/user-bubble"] [data-renderer="lm"]`, measured by
 * obsidian-AI-exporter, docs/investigation/perplexity-user-bubble-2026-09.md), while the answers
 * stayed as they were. Both query forms were served at once, and no answer selector can tell the
 * two pages apart, so the older query markup (saved page of 2026-02) is the fallback of the
 * user-turn list rather than a layout of its own.
 */
import { defineChatSite } from './chat-site.ts';

/** All Perplexity selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-09': {
    answer: ['div[id^="markdown-content-"]', '.prose.inline'],
    /**
     * The query bubble (2026-09; answers carry data-renderer="lm" too, hence the bubble around
     * it), then the query of the older pages: the first an h1, later ones divs, both with the
     * Tailwind group name.
     */
    userTurn: [
      '[class*="group/user-bubble"] [data-renderer="lm"]',
      'div.bg-subtle.rounded-2xl [data-renderer="lm"]',
      '[class*="group/query"]',
      'h1',
    ],
    answerText: ['.prose'],
    /** Perplexity marks no streaming answer in the saved page; the Stop button (last answer only) is the signal. */
    stopButton: ['button[aria-label="Stop"]', 'button[data-testid="stop-generating-response-button"]'],
  },
} as const;

/** /search/{slug}, /page/{slug}. */
const CONVERSATION = /\/(?:search|page)\/([\w.-]+)/;

export const perplexity = defineChatSite({
  id: 'perplexity',
  site: 'perplexity.ai',
  hosts: ['www.perplexity.ai', 'perplexity.ai'],
  testUrls: ['https://www.perplexity.ai/ (ask two questions, rewrite one)', 'https://www.perplexity.ai/search/<slug>'],
  layouts: [{ name: '2026-09', selectors: SELECTORS['2026-09'] }],
  conversation: CONVERSATION,
});
