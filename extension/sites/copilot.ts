/**
 * Microsoft Copilot (copilot.microsoft.com, www.copilot.com). Each message carries the site's id
 * in its element ids (`<id>-user-message`, `<id>-author`, `<id>-content-0`), so keys are the site's
 * ids. The model is not shown; the chat mode picker's label ("Smart", "Think Deeper") is used.
 *
 * - `2026-03` (saved page, revivalstack/ai-chat-exporter): answers `[data-testid="ai-message"]`
 *   ("Copilot said"), stop `button[data-testid="stop-button"]` (robertpiosik/CodeWebChat, 2026-08).
 * - `2025`: answers `[data-content="ai-message"]` only (the 2026 page still carries it too).
 */
import { defineChatSite, type ChatLayout } from './chat-site.ts';

const COMMON = {
  userTurn: ['[data-content="user-message"]', '[id$="-user-message"]'],
  /** The message's parts (`<id>-content-0`, `-1`, …), without the footer of reactions. */
  answerText: ['[id*="-content-"]'],
  answerSkip: ['[data-testid="message-item-reactions"]'],
  stopButton: ['button[data-testid="stop-button"]', 'button[aria-label="Stop responding"]'],
  pageModel: ['button[data-testid^="composer-chat-mode-"]'],
} as const;

/** All Copilot selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-03': {
    ...COMMON,
    /** No fallback here: the 2026 page carries the 2025 marker too, and the 2025 layout is next. */
    answer: ['[data-testid="ai-message"]'],
  },
  '2025': {
    ...COMMON,
    answer: ['[data-content="ai-message"]'],
  },
  contentId: '[id$="-content-0"]',
  authorId: '[id$="-author"]',
} as const;

/** /chats/{id}. */
const CONVERSATION = /\/chats\/([\w-]+)/;

/** The message id: the prefix of its content part's id, else of its author heading's. */
function messageId(answer: Element): string | undefined {
  const content = answer.querySelector(SELECTORS.contentId)?.id;
  if (content) return content.replace(/-content-0$/, '');
  const author = answer.querySelector(SELECTORS.authorId)?.id;
  return author ? author.replace(/-author$/, '') : undefined;
}

const layout = (name: '2026-03' | '2025'): ChatLayout => ({ name, selectors: SELECTORS[name], messageId });

export const copilot = defineChatSite({
  id: 'copilot',
  site: 'copilot.microsoft.com',
  hosts: ['copilot.microsoft.com', 'www.copilot.com'],
  testUrls: ['https://copilot.microsoft.com/ (ask two questions, regenerate one)', 'https://copilot.microsoft.com/chats/<id>'],
  layouts: [layout('2026-03'), layout('2025')],
  conversation: CONVERSATION,
});
