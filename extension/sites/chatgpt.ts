/**
 * ChatGPT (chatgpt.com). Two layouts are served at once while accounts move over:
 *
 * - `2026-09`: a turn is `div[data-turn-key]` holding the user prompt and its answer unit
 *   (`[data-chatgpt-search-message-ids]`, starting with an `h4.sr-only` "ChatGPT said:"). Keys
 *   are the answer's message id; the slot is the turn key, which stays the same while the thread
 *   unmounts and remounts turns (only 3–6 are mounted at once). Measured by obsidian-AI-exporter
 *   (docs/investigation/chatgpt-dom-2026-09.md); the model is not shown per answer there, so the
 *   model picker's label is read (a guess: the picker's test id of the older layout).
 * - `legacy` (saved page of 2026-02): each message carries its id (data-message-id) and the model
 *   that wrote it (data-message-model-slug).
 */
import { defineChatSite, type ChatLayout } from './chat-site.ts';
import { queryFirst } from './dom/query.ts';
import { shortText } from './dom/read-text.ts';

/** All ChatGPT selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-09': {
    /**
     * The answer unit. The user's unit carries data-chatgpt-search-message-ids too: the
     * "ChatGPT said:" heading (present on image-only answers as well) tells them apart.
     */
    answer: [
      '[data-chatgpt-search-message-ids]:has(> [data-conversation-role="assistant"])',
      '[data-chatgpt-search-message-ids]:has([data-markdown-text-style="assistant-message"])',
      ':has(> h4.sr-only[data-conversation-role="assistant"])',
    ],
    userTurn: ['[data-user-message-bubble]', '[data-turn-key] [data-chatgpt-search-unit-key$=":user"]'],
    answerText: [
      'div[data-chatgpt-selection-message-id] > div[data-markdown-text-style="assistant-message"]',
      '[data-markdown-text-style="assistant-message"]',
    ],
    userText: ['.whitespace-pre-wrap'],
    streaming: ['.result-streaming', '.streaming-animation', '[data-is-streaming="true"]'],
    stopButton: ['[data-testid="stop-button"]', 'button[aria-label="Stop streaming"]'],
    /**
     * The model picker, read when the answer names no model. A guess (not measured in this
     * layout): the picker's test id of the older layout. Not `pageModel`: a picker that says only
     * "ChatGPT" names no model.
     */
    modelPicker: ['[data-testid="model-switcher-dropdown-button"]'],
    turn: '[data-turn-key]',
    messageIds: '[data-chatgpt-search-message-ids]',
    selectionId: '[data-chatgpt-selection-message-id]',
    modelSlug: '[data-message-model-slug]',
  },
  legacy: {
    answer: ['div[data-message-author-role="assistant"]', 'article[data-turn="assistant"]'],
    userTurn: ['div[data-message-author-role="user"]', 'article[data-turn="user"]'],
    answerText: ['.markdown', '.prose'],
    userText: ['.whitespace-pre-wrap'],
    streaming: ['.result-streaming', '.streaming-animation', '[data-is-streaming="true"]'],
    stopButton: ['[data-testid="stop-button"]', 'button[aria-label="Stop streaming"]'],
    messageId: '[data-message-id]',
    model: '[data-message-model-slug]',
  },
} as const;

/** /c/{id}, /g/{gpt}/c/{id}, /share/{id}. */
const CONVERSATION = /\/(?:c|share)\/([\w-]+)/;

/** The picker says only this when it names no model (as on the saved page of 2026-02). */
const BRAND = 'ChatGPT';

const NOW = SELECTORS['2026-09'];
const OLD = SELECTORS.legacy;

/** The attribute on the element itself, an ancestor or a descendant. */
function attributeAround(el: Element, selector: string, name: string): string | undefined {
  return (el.closest(selector) ?? el.querySelector(selector))?.getAttribute(name)?.trim() || undefined;
}

const layout2026: ChatLayout = {
  name: '2026-09',
  selectors: NOW,
  // Its `:has()` fallbacks would each walk a long legacy page element by element.
  probe: ['[data-turn-key]', '[data-chatgpt-search-message-ids]', 'h4[data-conversation-role]'],
  fallbackKey: 'content',
  /**
   * The first id listed on the unit, else the id of its first markdown root, else the turn key.
   * Never data-content-search-turn-key: its "fallback-turn-N" is numbered per mounted window.
   */
  messageId(answer) {
    const listed = answer.closest(NOW.messageIds)?.getAttribute('data-chatgpt-search-message-ids')?.trim().split(/\s+/)[0];
    if (listed) return listed;
    const selection = answer.querySelector(NOW.selectionId)?.getAttribute('data-chatgpt-selection-message-id')?.trim();
    if (selection) return selection;
    return answer.closest(NOW.turn)?.getAttribute('data-turn-key')?.trim() || undefined;
  },
  model(answer) {
    const slug = attributeAround(answer, NOW.modelSlug, 'data-message-model-slug');
    if (slug) return slug;
    const label = shortText(queryFirst(answer.ownerDocument, NOW.modelPicker));
    return label && label !== BRAND ? label : undefined;
  },
  promptOf(answer) {
    const turn = answer.closest(NOW.turn);
    return turn ? queryFirst(turn, NOW.userTurn) : undefined;
  },
  slot: (answer) => answer.closest(NOW.turn)?.getAttribute('data-turn-key')?.trim() || undefined,
};

const legacy: ChatLayout = {
  name: 'legacy',
  selectors: OLD,
  messageId: (answer) => attributeAround(answer, OLD.messageId, 'data-message-id'),
  model: (answer) => attributeAround(answer, OLD.model, 'data-message-model-slug'),
};

export const chatgpt = defineChatSite({
  id: 'chatgpt',
  site: 'chatgpt.com',
  hosts: ['chatgpt.com', 'chat.openai.com'],
  testUrls: [
    'https://chatgpt.com/ (ask two questions, regenerate one, ask for an image)',
    'https://chatgpt.com/c/<id> of a long conversation: scroll to the top and back (turns unmount)',
    'https://chatgpt.com/g/<any GPT>/c/<id>',
  ],
  layouts: [layout2026, legacy],
  conversation: CONVERSATION,
});
