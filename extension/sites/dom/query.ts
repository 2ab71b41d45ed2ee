/**
 * Selector queries for the adapters. Selectors can be user input (custom rules, selector packs), so
 * a selector the browser rejects matches nothing instead of throwing; a list of selectors is a list
 * of fallbacks (a redesign that renames one attribute falls back to the next).
 */

/** querySelectorAll that returns [] for a selector the browser rejects (custom rules are user input). */
export function queryAll(root: ParentNode, selector: string): Element[] {
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch {
    return [];
  }
}

/** The first match of the first selector in the list that matches anything: selectors with fallbacks. */
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
