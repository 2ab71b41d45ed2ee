/**
 * Turns what a person typed into search terms. Words are matched as prefixes ("timeo" finds
 * "timeout"); "double-quoted words" are matched as a phrase. Nothing typed is ever passed to the
 * FTS5 query parser raw: every term is quoted, so `NEAR(`, `*`, `-` or a stray quote cannot make a
 * query fail or change its meaning.
 */
export interface SearchTerm {
  text: string;
  phrase: boolean;
}

export const MAX_TERMS = 12;
export const MAX_TERM_CHARS = 100;

export function parseQuery(q: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // Control characters (NUL above all: SQLite ends the FTS5 query string at it, "unterminated
  // string") never belong in a search; found by the bad-input campaign.
  q = q.replace(/[\u0000-\u001f\u007f]/g, ' ');
  for (const m of q.matchAll(/"([^"]*)"|(\S+)/g)) {
    const phrase = m[1] !== undefined;
    // Keep letters, digits and inner punctuation; drop quotes and FTS operators around words.
    const text = (m[1] ?? m[2] ?? '').replace(/["*^]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_TERM_CHARS);
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    terms.push({ text, phrase });
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/** An FTS5 MATCH expression: every term must occur (implicit AND). */
export function toFtsMatch(terms: SearchTerm[]): string {
  return terms.map((t) => `"${t.text.replace(/"/g, '""')}"${t.phrase ? '' : '*'}`).join(' ');
}

export interface SnippetPart {
  text: string;
  match: boolean;
}

/**
 * A short excerpt of `text` around the first term found, split into plain and matching parts so a
 * page can mark matches without ever building HTML from the text.
 */
export function snippetOf(text: string, terms: SearchTerm[], width = 160): SnippetPart[] {
  const lower = text.toLowerCase();
  const needles = terms.map((t) => t.text.toLowerCase()).filter(Boolean);
  let first = -1;
  for (const n of needles) {
    const i = lower.indexOf(n);
    if (i >= 0 && (first < 0 || i < first)) first = i;
  }
  const start = first < 0 ? 0 : Math.max(0, first - Math.floor(width / 3));
  const end = Math.min(text.length, start + width);
  const excerpt = text.slice(start, end);
  const parts = splitMatches(excerpt, needles);
  if (start > 0) parts.unshift({ text: '…', match: false });
  if (end < text.length) parts.push({ text: '…', match: false });
  return parts;
}

function splitMatches(text: string, needles: string[]): SnippetPart[] {
  const lower = text.toLowerCase();
  const parts: SnippetPart[] = [];
  let pos = 0;
  while (pos < text.length) {
    let best = -1;
    let len = 0;
    for (const n of needles) {
      const i = lower.indexOf(n, pos);
      if (i >= 0 && (best < 0 || i < best || (i === best && n.length > len))) {
        best = i;
        len = n.length;
      }
    }
    if (best < 0 || len === 0) break;
    if (best > pos) parts.push({ text: text.slice(pos, best), match: false });
    parts.push({ text: text.slice(best, best + len), match: true });
    pos = best + len;
  }
  if (pos < text.length) parts.push({ text: text.slice(pos), match: false });
  return parts;
}

/** Parses an FTS5 snippet() made with \u0002 / \u0003 as match markers (characters no text keeps). */
export function partsFromMarked(marked: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const m of marked.matchAll(/\u0002([^\u0003]*)\u0003|([^\u0002]+)/g)) {
    if (m[1] !== undefined) parts.push({ text: m[1], match: true });
    else if (m[2]) parts.push({ text: m[2].replace(/\u0003/g, ''), match: false });
  }
  return parts;
}
