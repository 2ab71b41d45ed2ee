/**
 * Small DOM readers shared by the adapters. Page text is untrusted: everything here only reads
 * text, never HTML, and nothing here writes to the page.
 */
import type { ChatMessage } from '../../shared/schemas.ts';
import { LIMITS } from '../../shared/limits.ts';

/** The tag name of our own widget; readers skip it. */
export const WIDGET_TAG = 'groundtruth-widget';

/** querySelectorAll that returns [] for a selector the browser rejects (custom rules are user input). */
export function queryAll(root: ParentNode, selector: string): Element[] {
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch {
    return [];
  }
}

/** The matches of the first selector in the list that matches anything: selectors with fallbacks. */
export function queryAllFirst(root: ParentNode, selectors: readonly string[]): Element[] {
  for (const selector of selectors) {
    const found = queryAll(root, selector);
    if (found.length > 0) return found;
  }
  return [];
}

export function queryFirst(root: ParentNode, selectors: readonly string[]): Element | null {
  for (const selector of selectors) {
    try {
      const found = root.querySelector(selector);
      if (found) return found;
    } catch {
      // an invalid selector: try the next one
    }
  }
  return null;
}

/**
 * True if `el` or an ancestor or a descendant matches one of the selectors. The selectors are tried
 * as one list first (one walk of the subtree instead of one per selector: this runs for every answer
 * on every scan), one by one only if the list does not parse.
 */
export function hasAround(el: Element, selectors: readonly string[]): boolean {
  if (selectors.length === 0) return false;
  try {
    const list = selectors.join(',');
    return el.closest(list) !== null || el.querySelector(list) !== null;
  } catch {
    for (const selector of selectors) {
      try {
        if (el.closest(selector) || el.querySelector(selector)) return true;
      } catch {
        // invalid selector
      }
    }
    return false;
  }
}

/**
 * cyrb53: a fast 53-bit string hash (public domain, github.com/bryc/code). Used for target keys of
 * answers without a site message id; not a security hash (prompt/output hashes use SHA-256).
 */
export function textHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** Whitespace-normalized textContent: the input of content hashes in keys (cheap, layout-free). */
export function plainText(el: Element): string {
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Left out when reading text: hidden helpers, controls, our own widget. */
const SKIP = [
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'button',
  'textarea',
  'input',
  'select',
  '.sr-only',
  '.cdk-visually-hidden',
  '[hidden]',
  '[aria-hidden="true"]',
  // Citation pills (ChatGPT, Perplexity): source names, not the answer's words.
  '[data-testid="webpage-citation-pill"]',
  '[data-pplx-citation]',
  WIDGET_TAG,
].join(',');

const BLOCK = new Set([
  'P', 'DIV', 'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'ASIDE', 'MAIN', 'NAV', 'UL', 'OL', 'LI',
  'PRE', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR',
  'DL', 'DT', 'DD', 'FIGURE', 'FIGCAPTION', 'DETAILS', 'SUMMARY',
]);

/**
 * The text of an element as a reader sees it: blocks on their own lines, list items with "- ",
 * KaTeX formulas as their TeX source ($…$), code blocks verbatim; hidden helper text, buttons and
 * our widget left out. Deterministic (no layout), so the same page gives the same text in tests
 * and browsers. Capped at LIMITS.textMaxChars.
 */
export function readText(root: Element): string {
  const out: string[] = [];
  /** The current line has only a list bullet or nothing yet. */
  let lineEmpty = true;
  let pre = 0;
  const push = (text: string) => {
    if (!text) return;
    out.push(text);
    if (/\S/.test(text)) lineEmpty = false;
  };
  const newline = () => {
    if (lineEmpty) return;
    out.push('\n');
    lineEmpty = true;
  };
  const visit = (node: Node): void => {
    if (node.nodeType === 3) {
      const text = node.nodeValue ?? '';
      if (pre > 0) {
        out.push(text);
        lineEmpty = /\n\s*$/.test(text) ? true : lineEmpty && !/\S/.test(text);
      } else {
        const collapsed = text.replace(/\s+/g, ' ');
        push(lineEmpty ? collapsed.trimStart() : collapsed);
      }
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    // Formulas: their TeX source. KaTeX keeps it in a MathML annotation; Gemini in data-math.
    const dataMath = el.getAttribute('data-math');
    const tex = dataMath ?? (el.classList.contains('katex') ? el.querySelector('annotation[encoding="application/x-tex"]')?.textContent : null);
    if (tex) {
      const source = tex.replace(/\s+/g, ' ').trim();
      const display = el.classList.contains('math-block') || el.parentElement?.classList.contains('katex-display');
      if (display) {
        newline();
        push(`$$${source}$$`);
        newline();
      } else push(`$${source}$`);
      return;
    }
    if (el.matches(SKIP)) return;
    const tag = el.tagName.toUpperCase();
    if (tag === 'BR') {
      out.push('\n');
      lineEmpty = true;
      return;
    }
    const block = BLOCK.has(tag);
    if (block) newline();
    if (tag === 'LI') out.push('- ');
    if (tag === 'TD' || tag === 'TH') push('\t');
    if (tag === 'PRE') pre++;
    for (let child = el.firstChild; child; child = child.nextSibling) visit(child);
    if (tag === 'PRE') pre--;
    if (block) newline();
  };
  visit(root);
  const text = out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0\u200b]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text.length > LIMITS.textMaxChars ? text.slice(0, LIMITS.textMaxChars) : text;
}

/** Trimmed, single-line text capped for short fields (model, subject). */
export function shortText(el: Element | null | undefined): string | undefined {
  if (!el) return undefined;
  const text = plainText(el).slice(0, LIMITS.shortTextMaxChars);
  return text || undefined;
}

/** -1 if a comes before b in the document, 1 if after, 0 if same. */
export function documentOrder(a: Node, b: Node): number {
  if (a === b) return 0;
  // DOCUMENT_POSITION_FOLLOWING = 4: b follows a.
  return a.compareDocumentPosition(b) & 4 ? -1 : 1;
}

export interface Turn {
  role: 'user' | 'assistant';
  el: Element;
}

/**
 * The prompt of an answer (the last user turn before it) and the turns before that prompt, oldest
 * first, capped at LIMITS.messagesMax. `users` and `answers` are each in document order.
 */
export function turnsBefore(
  answer: Element,
  users: readonly Element[],
  answers: readonly Element[],
  read: (turn: Turn) => string,
): { prompt?: string; messages?: ChatMessage[] } {
  const turns: Turn[] = [];
  let u = 0;
  let a = 0;
  // Merge the two ordered lists up to the answer.
  while (u < users.length || a < answers.length) {
    const nextUser = users[u];
    const nextAnswer = answers[a];
    let turn: Turn;
    if (nextUser && (!nextAnswer || documentOrder(nextUser, nextAnswer) < 0)) {
      turn = { role: 'user', el: nextUser };
      u++;
    } else if (nextAnswer) {
      turn = { role: 'assistant', el: nextAnswer };
      a++;
    } else break;
    if (turn.el === answer || documentOrder(turn.el, answer) > 0) break;
    turns.push(turn);
  }
  let promptIndex = -1;
  for (let i = turns.length - 1; i >= 0; i--) {
    if (turns[i]!.role === 'user') {
      promptIndex = i;
      break;
    }
  }
  if (promptIndex < 0) return {};
  const prompt = read(turns[promptIndex]!);
  const earlier = turns.slice(Math.max(0, promptIndex - LIMITS.messagesMax), promptIndex);
  const messages = earlier
    .map((turn) => ({ role: turn.role, content: read(turn) }))
    .filter((m) => m.content.length > 0);
  return { prompt: prompt || undefined, ...(messages.length > 0 ? { messages } : {}) };
}

/** First capture group (or the whole match) of a regex on a URL. */
export function matchUrl(url: URL | string, regex: RegExp): string | undefined {
  const m = regex.exec(String(url));
  if (!m) return undefined;
  const value = m[1] ?? m[0];
  if (!value) return undefined;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // a stray % in the URL: keep it as it is
  }
  return decoded.slice(0, LIMITS.shortTextMaxChars);
}

/** Key built from position and content, for answers without a site message id. */
export function positionKey(site: string, conversation: string, position: number, text: string): string {
  return `${site}:${conversation}:${position}:${textHash(text)}`.slice(0, LIMITS.keyMaxChars);
}
