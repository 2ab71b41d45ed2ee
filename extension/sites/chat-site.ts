/**
 * Builds a SiteAdapter for a chat UI from a declarative description: the site's layouts (the one
 * served today first, older ones after: sites move accounts to a redesign gradually, so both are
 * live at once), each with its selectors as lists tried in order (the first that matches anything
 * wins), so a redesign that renames one attribute falls back to the next instead of breaking.
 * Each site file (chatgpt.ts, …) keeps all its selectors in one `SELECTORS` object.
 *
 * A selector pack an admin publishes (shared/extension-config.ts) becomes one more layout, named
 * `pack`, tried before the built-in ones: its selectors over those of the newest built-in layout.
 * A pack that matches nothing leaves the built-in layouts in charge; one that does not parse
 * matches nothing (every query here swallows a selector the browser rejects).
 */
import type { SelectorPack } from '../../shared/extension-config.ts';
import type { AnswerCapture, SiteAdapter, SiteSurvey } from './types.ts';
import { matchUrl, positionKey } from './dom/keys.ts';
import { hasAround, queryAll, queryFirst } from './dom/query.ts';
import { plainText, readText, shortText, WIDGET_TAG } from './dom/read-text.ts';
import { turnsBefore } from './dom/turns.ts';
import { LIMITS } from '../../shared/limits.ts';

interface ChatSelectors {
  /** Each AI answer (the element rated, and after which the widget goes unless `anchor` says otherwise). */
  answer: readonly string[];
  /** Each user turn. */
  userTurn: readonly string[];
  /** Inside an answer, the part(s) holding its text; all matches are read, in order. Default: the answer. */
  answerText?: readonly string[];
  /** Inside an answer, parts that are not the answer (thinking rows, reasoning, status lines). */
  answerSkip?: readonly string[];
  /** Inside a user turn, the part(s) holding its text. Default: the turn. */
  userText?: readonly string[];
  /** On, around or inside an answer while it is being written. */
  streaming?: readonly string[];
  /** Anywhere on the page while the last answer is being written (a "Stop" button). */
  stopButton?: readonly string[];
  /** A page-level model label (the model picker), used when the answer carries no model itself. */
  pageModel?: readonly string[];
}

/** One layout of a site: its selectors and the readers that need more than a selector. */
export interface ChatLayout {
  /** Reported in the health counters (`2026-09`, `legacy`). */
  name: string;
  selectors: ChatSelectors;
  /**
   * Cheap selectors of which at least one is on every page of this layout: when none is, the
   * layout's answer selectors (which may use costly `:has()` fallbacks) are not tried at all. A
   * long page of another layout is then walked once, with simple selectors.
   */
  probe?: readonly string[];
  /** The site's own id of an answer, if it has one. */
  messageId?(answer: Element): string | undefined;
  /** The model of this answer, if the answer shows it. */
  model?(answer: Element): string | undefined;
  /** The element after which the widget goes. Default: the answer. */
  anchor?(answer: Element): Element;
  /** Versions of this answer that the page keeps in the DOM (e.g. hidden drafts). */
  alternatives?(answer: Element): string[];
  /**
   * The user turn an answer replies to, where the layout pairs them (ChatGPT's turn holds both).
   * `null`: paired, but the prompt is not on the page (unmounted); `undefined`: this answer is not
   * paired, use the default: the last user turn before the answer in document order.
   */
  promptOf?(answer: Element): Element | null | undefined;
  /** Identity of the answer's turn, stable across remounts (see SiteAdapter.slot). */
  slot?(answer: Element): string | undefined;
  /**
   * Keys without a message id: `position` (default) hashes position and text; `content` hashes
   * the prompt and the text only, for virtualised threads where positions shift as turns unmount.
   */
  fallbackKey?: 'position' | 'content';
}

interface ChatSiteSpec {
  id: string;
  site: string;
  hosts: readonly string[];
  testUrls: readonly string[];
  /** Newest first. */
  layouts: readonly ChatLayout[];
  watchAttributes?: readonly string[];
  /** On the URL's path: the first group is the conversation id. */
  conversation: RegExp;
}

export interface ChatSiteAdapter extends SiteAdapter {
  /** The hostnames it runs on (the declared content script's matches come from these: sites/index.ts). */
  readonly hosts: readonly string[];
  /** The names of the built-in layouts, newest first (test/conventions/sites.test.ts wants a page for each). */
  readonly layoutNames: readonly string[];
  /** This adapter with a published selector pack merged over its newest layout. */
  withPack(pack: SelectorPack, version: number): SiteAdapter;
}

interface Found {
  layout: ChatLayout;
  selectorIndex: number;
  answers: Element[];
}

/** The matches of the first selector that matches anything, and which one it was. */
function firstMatching(root: ParentNode, selectors: readonly string[]): { index: number; found: Element[] } {
  for (let index = 0; index < selectors.length; index++) {
    const found = queryAll(root, selectors[index]!);
    if (found.length > 0) return { index, found };
  }
  return { index: -1, found: [] };
}

/** A fallback selector can match nested elements; keep the outermost. */
function outermost(found: Element[]): Element[] {
  return found.length > 1 ? found.filter((el, i) => i === 0 || !found[i - 1]!.contains(el)) : found;
}

/** Text of `el` without the parts matching `skip`: read from a copy, the page is never changed. */
function readWithout(el: Element, skip: readonly string[] | undefined): string {
  if (!skip || skip.length === 0 || queryFirst(el, skip) === null) return readText(el);
  const copy = el.cloneNode(true) as Element;
  for (const selector of skip) for (const part of queryAll(copy, selector)) part.remove();
  return readText(copy);
}

/** True if `part` lies inside a part of `el` that `skip` leaves out (reasoning rendered as markdown too). */
function inSkipped(part: Element, el: Element, skip: readonly string[] | undefined): boolean {
  if (!skip) return false;
  for (const selector of skip) {
    try {
      const skipped = part.closest(selector);
      if (skipped && skipped !== el && el.contains(skipped)) return true;
    } catch {
      // an invalid selector: try the next one
    }
  }
  return false;
}

/**
 * The parts of `el` matching `selectors` (all matches of the first selector that matches), without
 * parts nested in others (they would be read twice) or lying in a skipped part; [] if none.
 */
function textParts(el: Element, selectors: readonly string[] | undefined, skip?: readonly string[]): Element[] {
  if (!selectors) return [];
  for (const selector of selectors) {
    const parts = queryAll(el, selector).filter((p) => !inSkipped(p, el, skip));
    if (parts.length > 0) return parts.filter((p) => !parts.some((q) => q !== p && q.contains(p)));
  }
  return [];
}

/** Text of the parts of `el` matching `selectors`, or of `el`, without the parts matching `skip`. */
function readParts(el: Element, selectors: readonly string[] | undefined, skip?: readonly string[]): string {
  const parts = textParts(el, selectors, skip);
  if (parts.length === 0) return readWithout(el, skip);
  return parts
    .map((p) => readWithout(p, skip))
    .filter(Boolean)
    .join('\n\n')
    .slice(0, LIMITS.textMaxChars);
}

/**
 * The text a `content` key hashes: the answer's text parts, without skipped parts and without our
 * widget (a layout may anchor the widget inside the answer). textContent, not readText: keys are
 * computed on scans, and only need to be stable.
 */
function keyText(answer: Element, selectors: ChatSelectors): string {
  const parts = textParts(answer, selectors.answerText, selectors.answerSkip);
  const drop = [WIDGET_TAG, ...(selectors.answerSkip ?? [])];
  return (parts.length > 0 ? parts : [answer])
    .map((root) => {
      if (queryFirst(root, drop) === null) return plainText(root);
      const copy = root.cloneNode(true) as Element;
      for (const selector of drop) for (const part of queryAll(copy, selector)) part.remove();
      return plainText(copy);
    })
    .join(' ');
}

/** The pack as a layout: its selectors over the newest built-in layout's. */
function packLayout(base: ChatLayout, pack: SelectorPack): ChatLayout {
  const s = base.selectors;
  const layout: ChatLayout = {
    ...base,
    name: 'pack',
    selectors: {
      ...s,
      answer: pack.answer ?? s.answer,
      answerText: pack.answerText ?? s.answerText,
      // A published prompt selector names the whole user turn: its text is the prompt.
      userTurn: pack.prompt ?? s.userTurn,
      userText: pack.prompt ? undefined : s.userText,
      streaming: pack.streaming ?? s.streaming,
      stopButton: pack.stopButton ?? s.stopButton,
      pageModel: pack.model ?? s.pageModel,
    },
  };
  // The probe names what the built-in selectors rely on: a pack is published when that changed.
  delete layout.probe;
  if (pack.prompt) delete layout.promptOf;
  if (pack.model) {
    const model = pack.model;
    layout.model = (answer) => shortText(queryFirst(answer, model)) ?? shortText(queryFirst(answer.ownerDocument, model));
  }
  return layout;
}

function compilePattern(source: string | undefined): RegExp | undefined {
  if (!source) return undefined;
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

function build(spec: ChatSiteSpec, pack?: { pack: SelectorPack; version: number }): ChatSiteAdapter {
  const layouts = pack ? [packLayout(spec.layouts[0]!, pack.pack), ...spec.layouts] : spec.layouts;
  const conversation = compilePattern(pack?.pack.conversationUrlPattern) ?? spec.conversation;
  /** Which layout found each answer, for capture and keys (no re-matching per call). */
  const layoutOf = new WeakMap<Element, ChatLayout>();
  const fallbackLayout = layouts[layouts.length - 1]!;

  const locate = (root: ParentNode): Found | undefined => {
    for (const layout of layouts) {
      if (layout.probe && queryFirst(root, [layout.probe.join(','), ...layout.probe]) === null) continue;
      const { index, found } = firstMatching(root, layout.selectors.answer);
      if (found.length > 0) return { layout, selectorIndex: index, answers: outermost(found) };
    }
    return undefined;
  };
  const findAnswers = (root: ParentNode): Element[] => {
    const found = locate(root);
    if (!found) return [];
    for (const answer of found.answers) layoutOf.set(answer, found.layout);
    return found.answers;
  };
  const layoutFor = (answer: Element) => layoutOf.get(answer) ?? fallbackLayout;
  const conversationId = (url: URL) => matchUrl(url.pathname, conversation);

  const adapter: ChatSiteAdapter = {
    id: spec.id,
    site: spec.site,
    kind: 'chat_response',
    testUrls: spec.testUrls,
    watchAttributes: spec.watchAttributes ?? [],
    layoutNames: spec.layouts.map((l) => l.name),
    hosts: spec.hosts,
    ...(pack ? { packVersion: pack.version } : {}),
    matches: (url) => spec.hosts.includes(url.hostname),
    findAnswers,
    anyStreaming(root) {
      const markers = new Set<string>();
      for (const layout of layouts) for (const s of [...(layout.selectors.streaming ?? []), ...(layout.selectors.stopButton ?? [])]) markers.add(s);
      const list = [...markers];
      // As one list first; one by one if the list does not parse.
      return list.length > 0 && queryFirst(root, [list.join(','), ...list]) !== null;
    },
    isStreaming(answer, isLast) {
      const { selectors } = layoutFor(answer);
      if (selectors.streaming && hasAround(answer, selectors.streaming)) return true;
      return isLast && selectors.stopButton !== undefined && queryFirst(answer.ownerDocument, selectors.stopButton) !== null;
    },
    key(answer, position, url) {
      const layout = layoutFor(answer);
      const id = layout.messageId?.(answer);
      if (id) return `${spec.site}:${id}`.slice(0, LIMITS.keyMaxChars);
      const conversationKey = conversationId(url) ?? url.pathname;
      if (layout.fallbackKey === 'content') {
        const prompt = layout.promptOf?.(answer);
        return positionKey(spec.site, conversationKey, 0, `${prompt ? plainText(prompt) : ''}\u0000${keyText(answer, layout.selectors)}`);
      }
      return positionKey(spec.site, conversationKey, position, plainText(answer));
    },
    slot(answer, position) {
      return layoutFor(answer).slot?.(answer) ?? String(position);
    },
    conversationId,
    survey(root): SiteSurvey {
      const found = locate(root);
      const userSelectors = found ? [found.layout.selectors.userTurn] : layouts.map((l) => l.selectors.userTurn);
      let userTurns = 0;
      for (const selectors of userSelectors) {
        userTurns = outermost(firstMatching(root, selectors).found).length;
        if (userTurns > 0) break;
      }
      return {
        layout: found?.layout.name ?? 'none',
        fallback: (found?.selectorIndex ?? 0) > 0,
        answers: found?.answers.length ?? 0,
        userTurns,
      };
    },
    capture(answer, url): AnswerCapture {
      const layout = layoutFor(answer);
      const { selectors } = layout;
      const doc = answer.ownerDocument;
      const readTurn = (el: Element, role: 'user' | 'assistant') =>
        role === 'user' ? readParts(el, selectors.userText) : readParts(el, selectors.answerText, selectors.answerSkip);
      const users = outermost(firstMatching(doc, selectors.userTurn).found);
      const answers = outermost(firstMatching(doc, selectors.answer).found);
      const history = turnsBefore(answer, users, answers, (turn) => readTurn(turn.el, turn.role));
      let { prompt, messages } = history;
      const paired = layout.promptOf?.(answer);
      if (paired !== undefined) {
        // The layout pairs this answer with its own prompt: trust that over document order, and
        // keep the earlier turns only when document order agrees on the prompt.
        const text = paired ? readTurn(paired, 'user') || undefined : undefined;
        if (text !== prompt) messages = undefined;
        prompt = text;
      }
      const model = layout.model?.(answer) ?? (selectors.pageModel ? shortText(queryFirst(doc, selectors.pageModel)) : undefined);
      const alternatives = layout.alternatives?.(answer).slice(0, LIMITS.alternativesMax);
      const capture: AnswerCapture = { output: readParts(answer, selectors.answerText, selectors.answerSkip) };
      if (prompt) capture.prompt = prompt;
      if (messages && messages.length > 0) capture.messages = messages;
      if (model) capture.model = model;
      const id = conversationId(url);
      if (id) capture.conversationId = id;
      if (alternatives && alternatives.length > 0) capture.alternatives = alternatives;
      return capture;
    },
    anchor: (answer) => layoutFor(answer).anchor?.(answer) ?? answer,
    withPack: (p, version) => build(spec, { pack: p, version }),
  };
  return adapter;
}

export function defineChatSite(spec: ChatSiteSpec): ChatSiteAdapter {
  if (spec.layouts.length === 0) throw new Error(`${spec.id}: a site needs at least one layout`);
  return build(spec);
}
