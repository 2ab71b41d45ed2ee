/**
 * Builds a SiteAdapter for a chat UI from a declarative description: the site's selectors, each
 * a list tried in order (the first that matches anything wins), so a redesign that renames one
 * attribute falls back to the next instead of breaking. Each site file (chatgpt.ts, …) keeps all
 * its selectors in one `SELECTORS` object and passes it here.
 */
import type { AnswerCapture, SiteAdapter } from './types.ts';
import {
  hasAround,
  plainText,
  positionKey,
  queryAllFirst,
  queryFirst,
  readText,
  shortText,
  turnsBefore,
} from './dom.ts';
import { LIMITS } from '../../shared/limits.ts';

export interface ChatSelectors {
  /** Each AI answer (the element rated, and after which the widget goes unless `anchor` says otherwise). */
  answer: readonly string[];
  /** Each user turn. */
  userTurn: readonly string[];
  /** Inside an answer, the part(s) holding its text; all matches are read, in order. Default: the answer. */
  answerText?: readonly string[];
  /** Inside a user turn, the part(s) holding its text. Default: the turn. */
  userText?: readonly string[];
  /** On, around or inside an answer while it is being written. */
  streaming?: readonly string[];
  /** Anywhere on the page while the last answer is being written (a "Stop" button). */
  stopButton?: readonly string[];
  /** A page-level model label (the model picker), used when the answer carries no model itself. */
  pageModel?: readonly string[];
}

export interface ChatSiteSpec {
  id: string;
  site: string;
  hosts: readonly string[];
  testUrls: readonly string[];
  selectors: ChatSelectors;
  watchAttributes?: readonly string[];
  conversationId(url: URL): string | undefined;
  /** The site's own id of an answer, if it has one. */
  messageId?(answer: Element): string | undefined;
  /** The model of this answer, if the answer shows it. */
  model?(answer: Element): string | undefined;
  /** The element after which the widget goes. Default: the answer. */
  anchor?(answer: Element): Element;
  /** Versions of this answer that the page keeps in the DOM (e.g. hidden drafts). */
  alternatives?(answer: Element): string[];
}

/** Text of the parts of `el` matching `selectors` (all matches of the first selector that matches), or of `el`. */
function readParts(el: Element, selectors: readonly string[] | undefined): string {
  if (selectors) {
    const parts = queryAllFirst(el, selectors);
    if (parts.length > 0) {
      // Parts nested in other parts would be read twice.
      const outer = parts.filter((p) => !parts.some((q) => q !== p && q.contains(p)));
      return outer.map(readText).filter(Boolean).join('\n\n').slice(0, LIMITS.textMaxChars);
    }
  }
  return readText(el);
}

export function defineChatSite(spec: ChatSiteSpec): SiteAdapter {
  const { selectors } = spec;
  const findAnswers = (root: ParentNode): Element[] => {
    const found = queryAllFirst(root, selectors.answer);
    // A fallback selector can match nested elements; keep the outermost.
    return found.length > 1 ? found.filter((el, i) => i === 0 || !found[i - 1]!.contains(el)) : found;
  };
  return {
    id: spec.id,
    site: spec.site,
    kind: 'chat_response',
    testUrls: spec.testUrls,
    watchAttributes: spec.watchAttributes ?? [],
    matches: (url) => spec.hosts.includes(url.hostname),
    findAnswers,
    anyStreaming(root) {
      const markers = [...(selectors.streaming ?? []), ...(selectors.stopButton ?? [])];
      // As one list first; one by one if the list does not parse.
      return markers.length > 0 && queryFirst(root, [markers.join(','), ...markers]) !== null;
    },
    isStreaming(answer, isLast) {
      if (selectors.streaming && hasAround(answer, selectors.streaming)) return true;
      return isLast && selectors.stopButton !== undefined && queryFirst(answer.ownerDocument, selectors.stopButton) !== null;
    },
    key(answer, position, url) {
      const id = spec.messageId?.(answer);
      if (id) return `${spec.site}:${id}`;
      const conversation = spec.conversationId(url) ?? url.pathname;
      return positionKey(spec.site, conversation, position, plainText(answer));
    },
    conversationId: spec.conversationId,
    capture(answer, url): AnswerCapture {
      const doc = answer.ownerDocument;
      const users = queryAllFirst(doc, selectors.userTurn);
      const answers = findAnswers(doc);
      const { prompt, messages } = turnsBefore(answer, users, answers, (turn) =>
        readParts(turn.el, turn.role === 'user' ? selectors.userText : selectors.answerText),
      );
      const model =
        spec.model?.(answer) ?? (selectors.pageModel ? shortText(queryFirst(doc, selectors.pageModel)) : undefined);
      const alternatives = spec.alternatives?.(answer).slice(0, LIMITS.alternativesMax);
      const capture: AnswerCapture = { output: readParts(answer, selectors.answerText) };
      if (prompt) capture.prompt = prompt;
      if (messages) capture.messages = messages;
      if (model) capture.model = model;
      const conversationId = spec.conversationId(url);
      if (conversationId) capture.conversationId = conversationId;
      if (alternatives && alternatives.length > 0) capture.alternatives = alternatives;
      return capture;
    },
    anchor: (answer) => spec.anchor?.(answer) ?? answer,
  };
}
