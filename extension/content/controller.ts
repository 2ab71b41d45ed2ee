/**
 * The content script's controller: picks the site adapters for the page (built-in ones unless
 * switched off, custom rules from the background's config), watches the page cheaply, places one
 * widget per finished answer, keeps each widget's state in step with the background, and sends
 * ratings. Everything it adds to the page goes away when `signal` aborts.
 *
 * It talks to the background only through `port` (runtime messages of extension/messages.ts):
 * no storage, no token, no network.
 */
import type { ContentConfig } from '../config.ts';
import type { ContentMessage, Message, RatingDraft, TargetStatus } from '../messages.ts';
import type { Target } from '../../shared/schemas.ts';
import type { SiteAdapter } from '../sites/types.ts';
import { LIMITS } from '../../shared/limits.ts';
import { activeAdapters, BUILTIN_ADAPTERS } from '../sites/index.ts';
import { plainText, textHash } from '../sites/dom.ts';
import { mountWidget, type MountedWidget } from '../widget/mount.ts';
import type { WidgetChange, WidgetProps, WidgetStatus } from '../widget/widget.tsx';
import { themeOf, type Theme } from '../widget/theme.ts';
import { createVisitReporter } from './health.ts';
import { observePage, type PageObserver } from './observer.ts';
import { Versions } from './versions.ts';
import { quoteOf, type TextQuote } from './quote.ts';

/** The content script's line to the background (browser.runtime in the entrypoint, a fake in tests). */
export interface ContentPort {
  send(message: Message): Promise<unknown>;
  /** Subscribe to background → content messages; returns the unsubscribe function. */
  listen(listener: (message: ContentMessage) => void): () => void;
}

/** Used when the background does not answer (being updated, not yet written): built-ins only. */
export const FALLBACK_CONFIG: ContentConfig = {
  rules: [],
  disabledAdapters: [],
  starMode: false,
  siteEnabled: {},
  selectionKind: 'other',
  selectorPacks: {},
  configVersion: 0,
  reportHealth: false,
};

const NONE: WidgetStatus = { state: 'none' };
/**
 * Work per task before yielding to the page: keeps every task well under the 50 ms of a long task,
 * while few enough yields that the page is not laid out again after every handful of widgets.
 */
const SLICE_MS = 20;
/** How often, at most, the page's theme is read again. */
const THEME_EVERY_MS = 2000;
/** Re-inserting a widget the site keeps removing stops after this many tries. */
const MAX_PLACEMENTS = 5;
/**
 * Events for benchmarks (test/bench/grow-page.ts): when the controller starts and, each time its
 * queue of widgets drains, how many there are and how long it kept the main thread busy so far.
 * Events on document, with a JSON string as detail, because a content script's performance
 * marks and objects do not cross into the page's world, where a benchmark reads them.
 */
export const EVENT_START = 'groundtruth:start';
export const EVENT_PLACED = 'groundtruth:placed';

const BUILTIN_IDS = new Set(BUILTIN_ADAPTERS.map((a) => a.id));

function announce(type: string, detail?: object) {
  document.dispatchEvent(new CustomEvent(type, { detail: detail ? JSON.stringify(detail) : '' }));
}

interface Rated {
  key: string;
  widget: MountedWidget;
  /** The target to send: the full capture for a rating, the identity only for an undo. */
  target(full: boolean): Target;
}

interface AnswerEntry extends Rated {
  adapter: SiteAdapter;
  answer: Element;
  position: number;
  slot: string;
  placements: number;
}

interface Queued {
  adapter: SiteAdapter;
  answer: Element;
  position: number;
  key: string;
  slot: string;
}

export interface ContentController {
  /** Scan the page now instead of on the next batched mutation. */
  scan(): void;
  /** Resolves once every queued widget is placed. */
  idle(): Promise<void>;
  /** Open a widget for the current text selection (context menu "Rate with Groundtruth"). */
  rateSelection(selectionText: string): void;
  /** Answers with a widget. */
  readonly count: number;
  readonly config: ContentConfig;
}

export interface StartOptions {
  port: ContentPort;
  signal: AbortSignal;
  /** Skip asking the background (tests, benchmarks). */
  config?: ContentConfig;
}

async function loadConfig(port: ContentPort): Promise<ContentConfig> {
  try {
    const answer = (await port.send({ type: 'get-content-config', url: location.href })) as Partial<ContentConfig> | undefined;
    return answer && typeof answer === 'object' ? { ...FALLBACK_CONFIG, ...answer } : FALLBACK_CONFIG;
  } catch {
    return FALLBACK_CONFIG;
  }
}

function isStatus(value: unknown): value is TargetStatus {
  return typeof value === 'object' && value !== null && typeof (value as TargetStatus).state === 'string';
}

function withoutKey({ key: _key, ...status }: TargetStatus): WidgetStatus {
  return status;
}

/** Optional fields left out rather than sent as undefined. */
function compact<T extends object>(value: T): T {
  for (const k of Object.keys(value) as (keyof T)[]) if (value[k] === undefined) delete value[k];
  return value;
}

const BLOCKS = 'p,li,pre,blockquote,td,th,dd,h1,h2,h3,h4,h5,h6,figcaption,div,section,article';

export async function startContent(options: StartOptions): Promise<ContentController> {
  const { port, signal } = options;
  announce(EVENT_START);
  /** Main-thread time spent scanning and mounting, and parts of it (the benchmark's figures). */
  const timing = { busyMs: 0, scanMs: 0, scans: 0, insertMs: 0, firstScanAt: -1 };
  const entries = new Map<Element, AnswerEntry>();
  const statuses = new Map<string, WidgetStatus>();
  const versions = new Versions();
  const queue: Queued[] = [];
  const queued = new Set<Element>();
  const wantStatus = new Set<string>();
  /** Answers with a widget whose content changed since the last scan. */
  const dirty = new Set<Element>();
  const failed = new Set<string>();
  let idleWaiters: (() => void)[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let selection: Rated | undefined;
  let theme: Theme | undefined;
  let themeReadAt = -Infinity;
  let observer: PageObserver | undefined;

  // Listen first: a "Rate with Groundtruth" can come while the config is still on its way.
  let config: ContentConfig = options.config ?? FALLBACK_CONFIG;
  const configReady = options.config ? Promise.resolve(options.config) : loadConfig(port);
  const unlisten = port.listen((message) => {
    if (signal.aborted) return;
    if (message.type === 'statuses-changed') {
      for (const status of message.statuses) setStatus(status.key, withoutKey(status));
    } else if (message.type === 'rate-selection') {
      void configReady.then(() => rateSelection(message.selectionText));
    }
  });
  config = await configReady;
  if (signal.aborted) {
    unlisten();
    return inertController(config);
  }

  let href = location.href;
  let url = new URL(href);
  let adapters = activeAdapters(url, config);
  /** The built-in ones among them: the adapters whose health is counted. */
  let builtins = adapters.filter((a) => BUILTIN_IDS.has(a.id));
  const visits = createVisitReporter((visit) => void port.send({ type: 'report-visit', visit }).catch(() => undefined), signal);
  /** `${site} ${conversation id}` whose own ratings were asked for. */
  const opened = new Set<string>();

  /** Asks once per conversation for the rater's own ratings in it (other devices, a reinstall). */
  function openConversations() {
    for (const adapter of adapters) {
      const conversationId = adapter.site ? adapter.conversationId(url) : undefined;
      if (!conversationId || opened.has(`${adapter.site} ${conversationId}`)) continue;
      opened.add(`${adapter.site} ${conversationId}`);
      void port
        .send({ type: 'open-conversation', site: adapter.site, conversationId })
        .then((answer) => {
          if (signal.aborted) return;
          const list = (answer as { statuses?: unknown[] } | undefined)?.statuses;
          for (const status of Array.isArray(list) ? list : []) if (isStatus(status)) setStatus(status.key, withoutKey(status));
        })
        .catch(() => undefined);
    }
  }

  // ---- statuses -------------------------------------------------------------------------------

  function propsFor(rated: Rated, status: WidgetStatus, extra: Partial<WidgetProps> = {}): WidgetProps {
    return { status, starMode: config.starMode, onChange: (change) => void rate(rated, change), ...extra };
  }

  function setStatus(key: string, status: WidgetStatus) {
    statuses.set(key, status);
    for (const entry of entries.values()) {
      if (entry.key === key) entry.widget.update(propsFor(entry, status));
    }
    if (selection?.key === key) selection.widget.update(propsFor(selection, status, { onClose: closeSelection }));
  }

  async function fetchStatuses() {
    if (wantStatus.size === 0) return;
    const keys = [...wantStatus];
    wantStatus.clear();
    try {
      const answer = (await port.send({ type: 'get-statuses', keys })) as { statuses?: TargetStatus[] } | undefined;
      if (signal.aborted) return;
      for (const status of answer?.statuses ?? []) if (isStatus(status)) setStatus(status.key, withoutKey(status));
    } catch {
      // The background is being restarted: widgets show "none" until the next change.
    }
  }

  // ---- rating ---------------------------------------------------------------------------------

  async function rate(rated: Rated, change: WidgetChange) {
    const key = rated.key;
    const before = statuses.get(key) ?? NONE;
    let draft: RatingDraft;
    if (change.remove) {
      setStatus(key, NONE);
      draft = { target: rated.target(false), remove: true };
    } else {
      const { rating, comment, correction } = change;
      setStatus(key, compact({ state: 'pending', rating, comment, correction }));
      try {
        draft = compact({ target: rated.target(true), rating, comment, correction });
      } catch (err) {
        setStatus(key, { ...before, state: 'rejected', error: `could not read this answer (${(err as Error).message})` });
        return;
      }
    }
    try {
      const answer = await port.send({ type: 'rate', draft });
      if (signal.aborted) return;
      if (isStatus(answer)) setStatus(key, withoutKey({ ...answer, key }));
      else if (answer && typeof answer === 'object' && 'error' in answer) {
        setStatus(key, { ...(statuses.get(key) ?? NONE), state: 'rejected', error: String((answer as { error: unknown }).error) });
      }
    } catch {
      setStatus(key, {
        ...(statuses.get(key) ?? NONE),
        state: 'rejected',
        error: 'the extension could not save this rating; reload the page and try again',
      });
    }
  }

  function answerTarget(entry: AnswerEntry, full: boolean): Target {
    const pageUrl = new URL(location.href);
    const base: Target = {
      kind: entry.adapter.kind,
      key: entry.key,
      site: (entry.adapter.site || pageUrl.hostname).slice(0, LIMITS.shortTextMaxChars),
      url: pageUrl.href.slice(0, LIMITS.urlMaxChars),
    };
    if (!full) return base;
    const capture = entry.adapter.capture(entry.answer, pageUrl);
    const alternatives = [...(capture.alternatives ?? []), ...versions.others(entry.slot, entry.key, capture.output)]
      .map((text) => text.slice(0, LIMITS.textMaxChars))
      .slice(0, LIMITS.alternativesMax);
    return compact({
      ...base,
      conversationId: capture.conversationId,
      model: capture.model,
      subject: capture.subject,
      prompt: capture.prompt,
      messages: capture.messages,
      output: capture.output,
      alternatives: alternatives.length > 0 ? alternatives : undefined,
      context: capture.context,
    });
  }

  // ---- placing widgets ------------------------------------------------------------------------

  function readTheme(near: Element) {
    const now = performance.now();
    if (now - themeReadAt < THEME_EVERY_MS && theme) return;
    themeReadAt = now;
    const next = themeOf(near);
    if (next === theme) return;
    theme = next;
    for (const entry of entries.values()) entry.widget.setTheme(next);
    selection?.widget.setTheme(next);
  }

  function place(entry: AnswerEntry) {
    const anchor = entry.adapter.anchor(entry.answer);
    if (anchor.nextElementSibling === entry.widget.host || entry.placements >= MAX_PLACEMENTS) return;
    anchor.after(entry.widget.host);
    entry.placements++;
  }

  /** The slots of the conversation on screen start with this. */
  function conversationOf(adapter: SiteAdapter): string {
    return `${adapter.id}:${adapter.conversationId(url) ?? url.pathname}:`;
  }

  function slotOf(adapter: SiteAdapter, answer: Element, position: number): string {
    return conversationOf(adapter) + (adapter.slot?.(answer, position) ?? position);
  }

  function mount(item: Queued) {
    if (!item.answer.isConnected) return;
    const entry = { ...item, placements: 0 } as AnswerEntry;
    entry.target = (full) => answerTarget(entry, full);
    entry.widget = mountWidget(propsFor(entry, statuses.get(item.key) ?? NONE), { theme });
    entries.set(item.answer, entry);
    const before = performance.now();
    place(entry);
    timing.insertMs += performance.now() - before;
    if (!statuses.has(item.key)) wantStatus.add(item.key);
  }

  /**
   * Mounts queued widgets in slices of SLICE_MS, yielding to the page between slices. `taskStart`:
   * when the current task began (a scan that ran just before counts against the same slice).
   */
  function flush(taskStart = performance.now()) {
    flushTimer = undefined;
    if (signal.aborted) return;
    const start = performance.now();
    if (queue.length > 0) readTheme(queue[0]!.adapter.anchor(queue[0]!.answer));
    while (queue.length > 0) {
      const item = queue.shift()!;
      queued.delete(item.answer);
      try {
        mount(item);
      } catch (err) {
        reportOnce(item.adapter, err);
      }
      if (performance.now() - taskStart > SLICE_MS && queue.length > 0) {
        timing.busyMs += performance.now() - start;
        flushTimer = setTimeout(flush, 0);
        return;
      }
    }
    timing.busyMs += performance.now() - start;
    announce(EVENT_PLACED, { widgets: entries.size, ...timing, sinceFirstScanMs: performance.now() - timing.firstScanAt });
    void fetchStatuses();
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function reportOnce(adapter: SiteAdapter, err: unknown) {
    if (failed.has(adapter.id)) return;
    failed.add(adapter.id);
    // One broken adapter must not break the others or the page.
    console.warn(`[groundtruth] the ${adapter.id} adapter failed on this page:`, err);
  }

  function scan() {
    if (signal.aborted) return;
    const started = performance.now();
    if (timing.firstScanAt < 0) timing.firstScanAt = started;
    try {
      scanPage();
    } finally {
      timing.busyMs += performance.now() - started;
      timing.scanMs += performance.now() - started;
      timing.scans++;
    }
    if (queue.length > 0) {
      if (flushTimer === undefined) flush(started);
    } else void fetchStatuses();
  }

  function scanPage() {
    let moved = false;
    if (location.href !== href) {
      href = location.href;
      url = new URL(href);
      adapters = activeAdapters(url, config);
      builtins = adapters.filter((a) => BUILTIN_IDS.has(a.id));
      moved = true;
    }
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
            queue.push({ adapter, answer, position, key: adapter.key(answer, position, url), slot: slotOf(adapter, answer, position) });
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
            entry.key = key;
            entry.slot = slotOf(adapter, answer, position);
            entry.widget.update(propsFor(entry, statuses.get(key) ?? NONE));
            if (!statuses.has(key)) wantStatus.add(key);
          }
          place(entry);
        });
      } catch (err) {
        reportOnce(adapter, err);
      }
    }
    for (const [answer, entry] of entries) {
      if (!seen.has(answer) || !answer.isConnected) {
        // An answer replaced within the same conversation (a regeneration, a version switch):
        // remember its text, still readable on the detached element, as a version of its slot.
        if (entry.slot.startsWith(conversationOf(entry.adapter))) {
          versions.note(entry.slot, entry.key, plainText(answer));
        }
        entry.widget.destroy();
        entries.delete(answer);
      }
    }
    dirty.clear();
    if (config.reportHealth) visits.observe(builtins, url);
    openConversations();
    const first = entries.values().next().value;
    if (first) readTheme(first.adapter.anchor(first.answer));
  }

  /** Notes which answers with a widget changed inside (MutationObserver records, before the batched scan). */
  function noteMutations(records: readonly MutationRecord[]) {
    if (entries.size === 0) return;
    for (const record of records) {
      for (let node: Node | null = record.target; node; node = node.parentNode) {
        if (entries.has(node as Element)) {
          dirty.add(node as Element);
          break;
        }
      }
    }
  }

  // ---- text selections ------------------------------------------------------------------------

  function closeSelection() {
    selection?.widget.destroy();
    selection = undefined;
  }

  function rateSelection(selectionText: string) {
    if (signal.aborted) return;
    const pageUrl = new URL(location.href);
    if (config.siteEnabled[pageUrl.hostname] === false) return;
    closeSelection();
    const sel = window.getSelection();
    const range = sel && sel.rangeCount > 0 && !sel.isCollapsed ? sel.getRangeAt(0) : null;
    let quote: TextQuote = range ? quoteOf(range, document.body) : { exact: selectionText };
    if (!quote.exact.trim()) quote = { exact: selectionText };
    quote.exact = quote.exact.slice(0, LIMITS.textMaxChars);
    const key = `${pageUrl.hostname}:selection:${pageUrl.pathname}:${textHash(
      `${quote.prefix ?? ''}\u0000${quote.exact}\u0000${quote.suffix ?? ''}`,
    )}`.slice(0, LIMITS.keyMaxChars);
    const rated: Rated = {
      key,
      widget: undefined as unknown as MountedWidget,
      target: (full) =>
        compact({
          kind: config.selectionKind,
          key,
          site: pageUrl.hostname.slice(0, LIMITS.shortTextMaxChars),
          url: pageUrl.href.slice(0, LIMITS.urlMaxChars),
          output: full ? quote.exact : undefined,
          quote: full ? quote : undefined,
        }),
    };
    const near = range?.endContainer;
    const nearEl = near ? (near.nodeType === 1 ? (near as Element) : near.parentElement) : null;
    const block = nearEl?.closest(BLOCKS);
    const anchor = block && block !== document.body && !block.closest('groundtruth-widget') ? block : null;
    rated.widget = mountWidget(propsFor(rated, statuses.get(key) ?? NONE, { onClose: closeSelection, autoFocus: true }), {
      theme: themeOf(anchor ?? document.body),
    });
    if (anchor) anchor.after(rated.widget.host);
    else {
      // No block to follow (a selection in a form field or a PDF viewer): float in the corner.
      rated.widget.host.setAttribute('data-floating', '');
      document.body.append(rated.widget.host);
    }
    selection = rated;
    if (!statuses.has(key)) {
      wantStatus.add(key);
      void fetchStatuses();
    }
  }

  // ---- lifetime -------------------------------------------------------------------------------

  const mayHaveAnswers = adapters.length > 0 || config.rules.length > 0;
  if (mayHaveAnswers) {
    const attributes = new Set<string>();
    for (const adapter of BUILTIN_ADAPTERS) if (adapter.matches(url)) adapter.watchAttributes.forEach((a) => attributes.add(a));
    if (config.rules.length > 0) attributes.add('aria-busy');
    observer = observePage(document.body, scan, { signal, attributes: [...attributes], onRecords: noteMutations });
    // A switch of the system theme; a site's own theme switch shows at the next scan.
    window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.(
      'change',
      () => {
        themeReadAt = -Infinity;
        observer?.schedule();
      },
      { signal },
    );
    // Back/forward in a single-page app may change the URL before the page changes.
    window.addEventListener('popstate', observer.schedule, { signal });
    scan();
  }

  signal.addEventListener(
    'abort',
    () => {
      unlisten();
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      queue.length = 0;
      queued.clear();
      for (const entry of entries.values()) entry.widget.destroy();
      entries.clear();
      closeSelection();
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
    { once: true },
  );

  return {
    scan,
    idle: () => (queue.length === 0 && flushTimer === undefined ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))),
    rateSelection,
    get count() {
      return entries.size;
    },
    config,
  };
}

function inertController(config: ContentConfig): ContentController {
  return { scan() {}, idle: () => Promise.resolve(), rateSelection() {}, count: 0, config };
}
