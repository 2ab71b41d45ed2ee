/**
 * Gemini (gemini.google.com). Each turn has an id (the conversation-container's id, the
 * message-content's "r_…" id) and each shown version a draft id ("rc_…"): the key is the draft when
 * the page shows it (a regenerated draft is another answer), else the response id. The model is
 * not shown per answer: the mode picker's label (e.g. "Fast") is used.
 *
 * A Deep Research report is not a model-response: it is shown in an immersive panel
 * (`deep-research-immersive-panel`) beside the chat, and users rate that report, so the report's
 * message-content is an answer too. Its prompt is the research request: the user query of the turn
 * whose entry chip opened the panel (the chip's card is `selected`; chip and card names from
 * community exporters, not measured here). Its key is that turn's id + ":report".
 *
 * Older turns load lazily at the top of `[data-test-id="chat-history-container"]` as the user
 * scrolls up; keys are ids (or the prompt and text, never the position), so answers loaded above
 * the others change no key.
 */
import { defineChatSite, type ChatLayout } from './chat-site.ts';
import { queryAll } from './dom/query.ts';

/** All Gemini selectors, per layout, each a list of fallbacks tried in order. */
export const SELECTORS = {
  '2026-02': {
    /** One list: answers in the chat and the report in the panel, in document order. */
    answer: [
      'model-response, deep-research-immersive-panel message-content',
      '.conversation-container .response-container, deep-research-immersive-panel .markdown-main-panel',
    ],
    userTurn: ['user-query', '.conversation-container .query-content'],
    answerText: ['message-content .markdown', '.markdown-main-panel', 'message-content', '.model-response-text'],
    userText: ['.query-text-line', '.query-text'],
    streaming: ['[aria-busy="true"]'],
    stopButton: ['button[aria-label="Stop response"]', '.send-button.stop'],
    pageModel: ['[data-test-id="logo-pill-label-container"]', 'bard-mode-switcher .mdc-button__label'],
    draftId: '[data-test-draft-id]',
    messageContent: 'message-content[id^="message-content-id-"]',
    turn: '.conversation-container[id]',
    report: 'deep-research-immersive-panel',
    /** The chip of a Deep Research turn; its card is `selected` while its report is open. */
    researchChip: 'immersive-entry-chip',
    openCard: 'gem-processing-card.selected',
    researchChipContent: 'deep-research-entry-chip-content',
  },
} as const;

/** /app/{id}, /gem/{gem}/{id}. */
const CONVERSATION = /\/(?:app|gem\/[\w-]+)\/([\w-]+)/;

const S = SELECTORS['2026-02'];

/** The id of a chat answer: its draft, else its response. */
function turnAnswerId(answer: Element): string | undefined {
  const draft = answer.querySelector(S.draftId)?.getAttribute('data-test-draft-id');
  if (draft) return draft;
  const content = answer.querySelector(S.messageContent)?.id.replace('message-content-id-', '');
  if (content) return content;
  const turn = answer.closest(S.turn)?.id;
  return turn ? `r_${turn}` : undefined;
}

/** The chat turn that started the report open in the panel: its chip's card is selected, else the last research chip. */
function researchTurn(report: Element): Element | undefined {
  const chips = queryAll(report.ownerDocument, S.researchChip);
  const chip =
    chips.find((c) => c.querySelector(S.openCard)) ??
    chips.filter((c) => c.querySelector(S.researchChipContent)).at(-1) ??
    (chips.length === 1 ? chips[0] : undefined);
  return chip?.closest(S.turn) ?? undefined;
}

const isReport = (answer: Element) => answer.closest(S.report) !== null;

const layout: ChatLayout = {
  name: '2026-02',
  selectors: S,
  // Older turns load above: a key without an id must not depend on the position.
  fallbackKey: 'content',
  messageId(answer) {
    if (!isReport(answer)) return turnAnswerId(answer);
    const turn = researchTurn(answer);
    const response = turn?.querySelector('model-response');
    const id = response ? turnAnswerId(response) : undefined;
    return id ? `${id}:report` : undefined;
  },
  /** The research request for a report; chat answers pair by document order. */
  promptOf(answer) {
    if (!isReport(answer)) return undefined;
    return researchTurn(answer)?.querySelector(S.userTurn[0]) ?? undefined;
  },
};

export const gemini = defineChatSite({
  id: 'gemini',
  site: 'gemini.google.com',
  hosts: ['gemini.google.com'],
  testUrls: [
    'https://gemini.google.com/app (ask two questions, show drafts)',
    'https://gemini.google.com/app (Deep Research: rate the report in the panel)',
    'https://gemini.google.com/app/<id> of a long conversation: scroll up until older turns load',
  ],
  layouts: [layout],
  watchAttributes: ['aria-busy'],
  conversation: CONVERSATION,
});
