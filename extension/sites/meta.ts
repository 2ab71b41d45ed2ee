/**
 * Meta AI (meta.ai, www.meta.ai). Answers are `div[data-testid="assistant-message"]`, and the
 * composer shows `button[data-testid="composer-stop-button"]` while the last one is written
 * (robertpiosik/CodeWebChat, 2026-08). The user turn (`data-testid="user-message"`) is the
 * counterpart of the measured answer marker, not a measurement. The page gives no message id
 * known to us, so keys are site + conversation + position + content hash; no model label is known.
 */
import { defineChatSite } from './chat-site.ts';

/** All Meta AI selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-08': {
    answer: ['div[data-testid="assistant-message"]', '[data-testid="assistant-message"]'],
    userTurn: ['div[data-testid="user-message"]', '[data-testid="user-message"]'],
    stopButton: ['button[data-testid="composer-stop-button"]'],
  },
} as const;

/** /prompt/{id}. */
const CONVERSATION = /\/prompt\/([\w-]+)/;

export const meta = defineChatSite({
  id: 'meta',
  site: 'meta.ai',
  hosts: ['meta.ai', 'www.meta.ai'],
  testUrls: ['https://www.meta.ai/ (ask two questions)', 'https://www.meta.ai/prompt/<id>'],
  layouts: [{ name: '2026-08', selectors: SELECTORS['2026-08'] }],
  conversation: CONVERSATION,
});
