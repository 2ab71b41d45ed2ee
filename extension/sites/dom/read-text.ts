/**
 * Page text as the adapters read it. Page text is untrusted: everything here only reads text,
 * never HTML, and nothing here writes to the page.
 */
import { LIMITS } from '../../../shared/limits.ts';
import { WIDGET_TAG } from '../../widget/tag.ts';

/** The tag name of our own widget (one definition: widget/tag.ts); readers skip it. */
export { WIDGET_TAG };

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
