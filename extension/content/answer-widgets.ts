/**
 * One widget per finished answer, placed after it: each scan finds the adapters' answers, queues
 * the new ones (not while they stream), follows an element the site reused for another answer,
 * puts back a widget the site removed (a few times), and takes away the widgets of answers that
 * are gone (remembering their text as a version of their slot). Queued widgets are mounted in
 * slices of SLICE_MS, yielding to the page between slices.
 */
import type { SiteAdapter } from '../sites/types.ts';
import { plainText } from '../sites/dom/read-text.ts';
import { mountWidget } from '../widget/mount.ts';
import type { Theme } from '../widget/theme.ts';
import { answerTarget, identityTarget } from './capture.ts';
import { Versions } from './versions.ts';
import type { Rated, WidgetStates } from './widget-states.ts';

/**
 * Work per task before yielding to the page: keeps every task well under the 50 ms of a long task,
 * while few enough yields that the page is not laid out again after every handful of widgets.
 */
const SLICE_MS = 20;
/** Re-inserting a widget the site keeps removing stops after this many tries. */
const MAX_PLACEMENTS = 5;

interface Queued {
  adapter: SiteAdapter;
  answer: Element;
  position: number;
  key: string;
  slot: string;
}

interface AnswerEntry extends Queued, Rated {
  placements: number;
}

/** Main-thread time spent scanning and mounting, and parts of it (the benchmark's figures, test/bench/grow-page.ts). */
export interface Timing {
  busyMs: number;
  scanMs: number;
  scans: number;
  insertMs: number;
  firstScanAt: number;
}

interface AnswerWidgetDeps {
  signal: AbortSignal;
  states: WidgetStates;
  timing: Timing;
  /** The theme for new widgets; `near` is where they go (read again at most every few seconds). */
  theme(near: Element): Theme | undefined;
  /** One broken adapter must not break the others or the page. */
  reportFailure(adapter: SiteAdapter, err: unknown): void;
  /** The queue drained: every widget of the scan is on the page. */
  placed(widgets: number): void;
}

export function createAnswerWidgets(deps: AnswerWidgetDeps) {
  const { signal, states, timing } = deps;
  const entries = new Map<Element, AnswerEntry>();
  const versions = new Versions();
  const queue: Queued[] = [];
  const queued = new Set<Element>();
  /** Answers with a widget whose content changed since the last scan. */
  const dirty = new Set<Element>();
  let idleWaiters: (() => void)[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** The slots of the conversation on screen start with this. */
  function conversationOf(adapter: SiteAdapter, url: URL): string {
    return `${adapter.id}:${adapter.conversationId(url) ?? url.pathname}:`;
  }

  function slotOf(adapter: SiteAdapter, answer: Element, position: number, url: URL): string {
    return conversationOf(adapter, url) + (adapter.slot?.(answer, position) ?? position);
  }

  function target(entry: AnswerEntry, full: boolean) {
    const pageUrl = new URL(location.href);
    const identity = identityTarget(entry.adapter.kind, entry.key, entry.adapter.site, pageUrl);
    if (!full) return identity;
    const capture = entry.adapter.capture(entry.answer, pageUrl);
    return answerTarget(identity, capture, versions.others(entry.slot, entry.key, capture.output));
  }

  function place(entry: AnswerEntry) {
    const anchor = entry.adapter.anchor(entry.answer);
    if (anchor.nextElementSibling === entry.widget.host || entry.placements >= MAX_PLACEMENTS) return;
    anchor.after(entry.widget.host);
    entry.placements++;
  }

  function mount(item: Queued, theme: Theme | undefined) {
    if (!item.answer.isConnected) return;
    const entry = { ...item, placements: 0 } as AnswerEntry;
    entry.target = (full) => target(entry, full);
    entry.widget = mountWidget(states.propsFor(entry), { theme });
    entries.set(item.answer, entry);
    states.track(entry);
    const before = performance.now();
    place(entry);
    timing.insertMs += performance.now() - before;
  }

  function remove(answer: Element, entry: AnswerEntry) {
    entry.widget.destroy();
    states.untrack(entry);
    entries.delete(answer);
  }

  /**
   * Mounts queued widgets in slices of SLICE_MS, yielding to the page between slices. `taskStart`:
   * when the current task began (a scan that ran just before counts against the same slice).
   */
  function flush(taskStart = performance.now()) {
    flushTimer = undefined;
    if (signal.aborted) return;
    const start = performance.now();
    const theme = queue.length > 0 ? deps.theme(queue[0]!.adapter.anchor(queue[0]!.answer)) : undefined;
    while (queue.length > 0) {
      const item = queue.shift()!;
      queued.delete(item.answer);
      try {
        mount(item, theme);
      } catch (err) {
        deps.reportFailure(item.adapter, err);
      }
      if (performance.now() - taskStart > SLICE_MS && queue.length > 0) {
        timing.busyMs += performance.now() - start;
        flushTimer = setTimeout(flush, 0);
        return;
      }
    }
    timing.busyMs += performance.now() - start;
    deps.placed(entries.size);
    void states.fetch();
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Finds the answers of `adapters` on the page. `moved`: the URL changed since the last scan. */
  function scan(adapters: readonly SiteAdapter[], url: URL, moved: boolean) {
    const seen = new Set<Element>();
    for (const adapter of adapters) {
      try {
        const answers = adapter.findAnswers(document);
        const last = answers.length - 1;
        const maybeStreaming = adapter.anyStreaming(document);
        answers.forEach((answer, position) => {
          seen.add(answer);
          if (queued.has(answer)) return;
          const entry = entries.get(answer);
          if (!entry) {
            if (maybeStreaming && adapter.isStreaming(answer, position === last)) return;
            queue.push({ adapter, answer, position, key: adapter.key(answer, position, url), slot: slotOf(adapter, answer, position, url) });
            queued.add(answer);
            return;
          }
          // Keys can hash the answer's text: read them again only when something could have
          // changed them, so a scan of a long conversation stays cheap while an answer streams.
          if (!moved && entry.position === position && !dirty.has(answer)) {
            place(entry);
            return;
          }
          entry.position = position;
          const key = adapter.key(answer, position, url);
          if (entry.key !== key) {
            // The site reused the element for another answer (a version switch): follow it. The
            // old text is gone from the element, so this one version is not kept as an alternative.
            entry.slot = slotOf(adapter, answer, position, url);
            states.rekey(entry, key);
          }
          place(entry);
        });
      } catch (err) {
        deps.reportFailure(adapter, err);
      }
    }
    for (const [answer, entry] of entries) {
      if (!seen.has(answer) || !answer.isConnected) {
        // An answer replaced within the same conversation (a regeneration, a version switch):
        // remember its text, still readable on the detached element, as a version of its slot.
        if (entry.slot.startsWith(conversationOf(entry.adapter, url))) {
          versions.note(entry.slot, entry.key, plainText(answer));
        }
        remove(answer, entry);
      }
    }
    dirty.clear();
  }

  return {
    scan,
    /** After a scan that began at `started`: mount what it queued (or only ask for statuses). */
    settle(started: number) {
      if (queue.length > 0) {
        if (flushTimer === undefined) flush(started);
      } else void states.fetch();
    },
    /** Notes which answers with a widget changed inside (MutationObserver records, before the batched scan). */
    noteMutations(records: readonly MutationRecord[]) {
      if (entries.size === 0) return;
      for (const record of records) {
        for (let node: Node | null = record.target; node; node = node.parentNode) {
          if (entries.has(node as Element)) {
            dirty.add(node as Element);
            break;
          }
        }
      }
    },
    /** The anchor of the first answer with a widget: where the page's theme is read. */
    firstAnchor(): Element | undefined {
      const first = entries.values().next().value;
      return first ? first.adapter.anchor(first.answer) : undefined;
    },
    get count() {
      return entries.size;
    },
    /** Answers found and waiting for their widget. */
    get queued() {
      return queue.length;
    },
    /** Resolves once every queued widget is placed. */
    idle(): Promise<void> {
      return queue.length === 0 && flushTimer === undefined ? Promise.resolve() : new Promise((r) => idleWaiters.push(r));
    },
    destroy() {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      queue.length = 0;
      queued.clear();
      for (const [answer, entry] of entries) remove(answer, entry);
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
  };
}
