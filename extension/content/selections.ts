/**
 * Widgets for text selections. "Rate with Groundtruth" on a selection opens a widget after the
 * block the selection ends in (floating in a corner when there is none), for a target that keeps
 * the exact quote, its context and offsets (quote.ts), as Hypothesis anchors annotations.
 *
 * On the next visit the page's rated selections are found again: the background answers
 * `get-page-selections` with the stored quotes of this page's selection targets, each is looked
 * for in the page's text (findQuote: by offsets, else by exact text and context, else by the exact
 * text alone), and a widget showing the stored state goes after the block where it is found. A
 * quote not on the page yet (a page that renders late) is looked for again at the next scan; one
 * stored without its text (the "hashes only" mode) or with redacted text cannot be found.
 */
import { LIMITS } from '../../shared/limits.ts';
import type { TargetKind } from '../../shared/schemas.ts';
import type { PageSelection } from '../messages.ts';
import { WIDGET_TAG } from '../sites/dom/read-text.ts';
import { mountWidget } from '../widget/mount.ts';
import { themeOf } from '../widget/theme.ts';
import { identityTarget, selectionTarget } from './capture.ts';
import type { ContentPort } from './controller.ts';
import { findQuote, quoteOf, type TextQuote } from './quote.ts';
import { selectionKey } from './selection-key.ts';
import type { Rated, WidgetStates } from './widget-states.ts';

/** Scans (page changes) that look for a stored quote before it is given up for this visit. */
const MAX_TRIES = 30;

/** The blocks a selection's widget goes after. */
const BLOCKS = 'p,li,pre,blockquote,td,th,dd,h1,h2,h3,h4,h5,h6,figcaption,div,section,article';

interface SelectionDeps {
  port: ContentPort;
  signal: AbortSignal;
  states: WidgetStates;
  /** config.selectionKind: what a selection is rated as. */
  kind(): TargetKind;
}

/** The block after which a widget for text ending at `node` goes, or null (a form field, a PDF viewer). */
function blockAfter(node: Node | undefined): Element | null {
  const el = node ? (node.nodeType === 1 ? (node as Element) : node.parentElement) : null;
  const block = el?.closest(BLOCKS);
  return block && block !== document.body && !block.closest(WIDGET_TAG) ? block : null;
}

/** The text position `offset` of `root`'s text (as textContent counts it): its text node and the offset in it. */
function textPosition(root: Node, offset: number): { node: Text; offset: number } | null {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let last: Text | null = null;
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    const length = node.data.length;
    if (offset <= seen + length) return { node, offset: offset - seen };
    seen += length;
    last = node;
  }
  return last && offset === seen ? { node: last, offset: last.data.length } : null;
}

export function createSelectionWidgets(deps: SelectionDeps) {
  const { states } = deps;
  /** The selection being rated now (one at a time), and those found again on the page, by key. */
  let current: Rated | undefined;
  const restored = new Map<string, Rated>();
  /** Stored quotes of this page not found in its text yet, and how many more scans look for them. */
  let unplaced: PageSelection[] = [];
  let triesLeft = 0;
  let askedFor: string | undefined;

  function rated(key: string, quote: TextQuote, pageUrl: URL, onClose: () => void): Rated {
    const identity = identityTarget(deps.kind(), key, '', pageUrl);
    return { key, widget: undefined as never, target: (full) => selectionTarget(identity, quote, full), props: { onClose } };
  }

  function show(r: Rated, anchor: Element | null, autoFocus: boolean) {
    r.widget = mountWidget(states.propsFor(r, states.status(r.key), autoFocus ? { autoFocus } : {}), { theme: themeOf(anchor ?? document.body) });
    if (anchor) anchor.after(r.widget.host);
    else {
      // No block to follow (a selection in a form field or a PDF viewer): float in the corner.
      r.widget.host.setAttribute('data-floating', '');
      document.body.append(r.widget.host);
    }
    states.track(r);
  }

  function hide(r: Rated | undefined) {
    if (!r) return;
    r.widget.destroy();
    states.untrack(r);
  }

  function closeCurrent() {
    hide(current);
    current = undefined;
  }

  /**
   * Opens a widget for the current text selection (context menu "Rate with Groundtruth", or the
   * keyboard command, which sends no text: then only the page's selection counts, and with none
   * nothing opens).
   */
  function rate(selectionText: string) {
    const pageUrl = new URL(location.href);
    const sel = window.getSelection();
    const range = sel && sel.rangeCount > 0 && !sel.isCollapsed ? sel.getRangeAt(0) : null;
    let quote: TextQuote = range ? quoteOf(range, document.body) : { exact: selectionText };
    if (!quote.exact.trim()) quote = { exact: selectionText };
    if (!quote.exact.trim()) return;
    closeCurrent();
    quote.exact = quote.exact.slice(0, LIMITS.textMaxChars);
    const key = selectionKey(pageUrl, quote);
    // Rated again: one widget for it, the one just opened.
    hide(restored.get(key));
    restored.delete(key);
    current = rated(key, quote, pageUrl, closeCurrent);
    show(current, blockAfter(range?.endContainer), true);
    void states.fetch();
  }

  /** Looks for the stored quotes not placed yet in the page's text; places those it finds. */
  function placeFound() {
    if (unplaced.length === 0) return;
    if (triesLeft-- <= 0) {
      unplaced = [];
      return;
    }
    const pageUrl = new URL(location.href);
    const text = document.body.textContent ?? '';
    unplaced = unplaced.filter((stored) => {
      const key = stored.status.key;
      if (restored.has(key) || current?.key === key) return false;
      const at = findQuote(stored.quote, text);
      const end = at ? textPosition(document.body, at.end) : null;
      if (!at || !end) return true;
      const r = rated(key, stored.quote, pageUrl, () => {
        hide(r);
        restored.delete(r.key);
      });
      restored.set(r.key, r);
      show(r, blockAfter(end.node), false);
      return false;
    });
  }

  /** Asks once per page (URL without its fragment) for the rated selections stored for it. */
  async function restore() {
    const pageUrl = new URL(location.href);
    pageUrl.hash = '';
    if (askedFor === pageUrl.href) {
      placeFound();
      return;
    }
    askedFor = pageUrl.href;
    for (const r of restored.values()) hide(r);
    restored.clear();
    unplaced = [];
    let answer: unknown;
    try {
      answer = await deps.port.send({ type: 'get-page-selections', url: pageUrl.href });
    } catch {
      return; // the background is being restarted: the next page load asks again
    }
    if (deps.signal.aborted || askedFor !== pageUrl.href) return;
    const list = (answer as { selections?: unknown } | undefined)?.selections;
    unplaced = (Array.isArray(list) ? list : []).filter(
      (s): s is PageSelection => typeof s?.status?.key === 'string' && typeof s.quote?.exact === 'string' && s.quote.exact !== '',
    );
    triesLeft = MAX_TRIES;
    states.take(unplaced.map((s) => s.status));
    placeFound();
  }

  return {
    rate,
    restore,
    /** Quotes still missing are looked for again (the page changed). */
    scan: placeFound,
    /** Whether stored quotes are still waiting for the page to show them. */
    get waiting() {
      return unplaced.length > 0;
    },
    destroy() {
      closeCurrent();
      for (const r of restored.values()) hide(r);
      restored.clear();
      unplaced = [];
    },
  };
}
