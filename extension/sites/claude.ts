/**
 * Claude (claude.ai). Two layouts are served at once while accounts move over:
 *
 * - `2026-10` ("hub"): each answer is one `[data-testid="assistant-message"][data-cds="AssistantMessage"]`
 *   element with a `data-turn-key` (the key) and `data-is-streaming`; it also holds an
 *   `h2.sr-only`, thinking/status rows and the actions toolbar, all left out of the text. Rows
 *   (`[data-testid="transcript-row"][data-index]`) out of view are unloaded, so the prompt is the
 *   human row just before the answer's row, and the slot is the row's index. Measured by
 *   obsidian-AI-exporter (test/fixtures/claude-hub-dom.ts).
 * - `legacy` (saved page of 2026-02): answers carry no message id in the page, so keys are site +
 *   conversation + position + content hash; each answer sits in a div[data-is-streaming].
 *
 * The model is not shown per answer: the model picker's label (the conversation's model) is used.
 */
import { defineChatSite, type ChatLayout } from './chat-site.ts';

/** All Claude selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-10': {
    answer: ['[data-testid="assistant-message"][data-cds="AssistantMessage"]', '[data-cds="AssistantMessage"]'],
    userTurn: ['[data-cds="UserMessage"] [data-testid="user-message"]', '[data-cds="UserMessage"]'],
    answerText: ['[data-cds="Prose"] .standard-markdown', '[data-cds="Prose"]', '.standard-markdown'],
    /** Not the answer: the "Claude responded:" heading, thinking and tool-use rows, the toolbar. */
    answerSkip: ['h2.sr-only', '[data-cds="TurnStatus"]', '[data-testid="message-actions"]', '[data-cds="MessageActions"]'],
    streaming: ['[data-is-streaming="true"]'],
    stopButton: ['button[aria-label="Stop response"]', 'button[aria-label="Stop Response"]'],
    pageModel: ['[data-testid="model-selector-dropdown"] .whitespace-nowrap', '[data-testid="model-selector-dropdown"]'],
    row: '[data-testid="transcript-row"]',
    humanRow: '[data-perf-row="human"]',
  },
  legacy: {
    answer: ['div[data-is-streaming]:has(.font-claude-response)', 'div[data-is-streaming]', '.font-claude-response'],
    userTurn: ['[data-testid="user-message"]', '.font-user-message'],
    /** The prose of the answer, without tool-use status lines. */
    answerText: ['.standard-markdown', '.font-claude-response-body'],
    streaming: ['[data-is-streaming="true"]'],
    stopButton: ['button[aria-label="Stop response"]', 'button[aria-label="Stop Response"]'],
    pageModel: ['[data-testid="model-selector-dropdown"] .whitespace-nowrap', '[data-testid="model-selector-dropdown"]'],
  },
} as const;

/** /chat/{uuid}, /project/…/chat/{uuid}. */
const CONVERSATION = /\/chat\/([\w-]+)/;

const HUB = SELECTORS['2026-10'];

/** The row's index in the whole transcript (rows out of view are unloaded, the others keep theirs). */
function rowIndex(row: Element | null): number | undefined {
  const index = Number.parseInt(row?.getAttribute('data-index') ?? '', 10);
  return Number.isFinite(index) ? index : undefined;
}

const hub: ChatLayout = {
  name: '2026-10',
  selectors: HUB,
  fallbackKey: 'content',
  messageId: (answer) => answer.getAttribute('data-turn-key')?.trim() || undefined,
  /**
   * The human row right before the answer's row. If that row is unloaded, none: the last user turn
   * in document order would then be an older prompt.
   */
  promptOf(answer) {
    const row = answer.closest(HUB.row);
    const index = rowIndex(row);
    if (!row || index === undefined) return undefined;
    const rows = row.parentElement ? Array.from(row.parentElement.children) : [];
    const previous = rows.find((r) => rowIndex(r) === index - 1);
    if (!previous || !previous.matches(HUB.humanRow)) return null;
    return previous.querySelector(HUB.userTurn[0]) ?? previous.querySelector(HUB.userTurn[1]);
  },
  slot(answer) {
    const index = rowIndex(answer.closest(HUB.row));
    return index !== undefined ? `row-${index}` : answer.getAttribute('data-turn-key')?.trim() || undefined;
  },
};

export const claude = defineChatSite({
  id: 'claude',
  site: 'claude.ai',
  hosts: ['claude.ai'],
  testUrls: [
    'https://claude.ai/new (ask two questions, retry one, turn on extended thinking)',
    'https://claude.ai/chat/<id> of a long conversation: scroll up and back (rows unload)',
    'https://claude.ai/chat/<id> with an artifact',
  ],
  layouts: [hub, { name: 'legacy', selectors: SELECTORS.legacy }],
  watchAttributes: ['data-is-streaming'],
  conversation: CONVERSATION,
});
