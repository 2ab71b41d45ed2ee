/**
 * The content script's controller: picks the site adapters for the page (built-in ones unless
 * switched off, custom rules from the background's config), watches the page cheaply and scans it,
 * and wires the rooms that do the work: answer-widgets.ts places one widget per finished answer,
 * selections.ts the widgets of text selections (rated now, or found again from a stored quote),
 * widget-states.ts keeps what every widget shows in step with the background and sends ratings,
 * capture.ts builds the targets they send. Everything it adds to the page goes away when `signal` aborts.
 *
 * It talks to the background only through `port` (runtime messages of extension/messages.ts):
 * no storage, no token, no network.
 */
import type { ContentConfig } from '../config.ts';
import type { ContentMessage, Message } from '../messages.ts';
import { activeAdapters, BUILTIN_ADAPTERS } from '../sites/index.ts';
import type { SiteAdapter } from '../sites/types.ts';
import { themeOf, type Theme } from '../widget/theme.ts';
import { createAnswerWidgets, type Timing } from './answer-widgets.ts';
import { createVisitReporter } from './health.ts';
import { observePage, type PageObserver } from './observer.ts';
import { createSelectionWidgets } from './selections.ts';
import { WidgetStates } from './widget-states.ts';

/** The content script's line to the background (browser.runtime in the entrypoint, a fake in tests). */
export interface ContentPort {
  send(message: Message): Promise<unknown>;
  /** Subscribe to background → content messages; returns the unsubscribe function. */
  listen(listener: (message: ContentMessage) => void): () => void;
}

/** Used when the background does not answer (being updated, not yet written): built-ins only. */
const FALLBACK_CONFIG: ContentConfig = {
  rules: [],
  disabledAdapters: [],
  starMode: false,
  siteEnabled: {},
  selectionKind: 'other',
  selectorPacks: {},
  configVersion: 0,
  reportHealth: false,
  criteria: [],
};

/** How often, at most, the page's theme is read again. */
const THEME_EVERY_MS = 2000;
/**
 * Events for benchmarks (test/bench/grow-page.ts) and browser tests (test/e2e/harness.ts,
 * CONTENT_EVENTS): when the controller starts; when its config is in, with the adapters active
 * on the page; after each scan, with the widgets on the page; and each time its queue of widgets
 * drains, how many there are and how long it kept the main thread busy so far. Events on document,
 * with a JSON string as detail, because a content script's performance marks and objects do not
 * cross into the page's world, where a benchmark or a test reads them.
 */
const EVENT_START = 'groundtruth:start';
const EVENT_READY = 'groundtruth:ready';
const EVENT_SCANNED = 'groundtruth:scanned';
const EVENT_PLACED = 'groundtruth:placed';

const BUILTIN_IDS = new Set(BUILTIN_ADAPTERS.map((a) => a.id));

function announce(type: string, detail?: object) {
  document.dispatchEvent(new CustomEvent(type, { detail: detail ? JSON.stringify(detail) : '' }));
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

interface StartOptions {
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

export async function startContent(options: StartOptions): Promise<ContentController> {
  const { port, signal } = options;
  announce(EVENT_START);
  const timing: Timing = { busyMs: 0, scanMs: 0, scans: 0, insertMs: 0, firstScanAt: -1 };
  const failed = new Set<string>();
  let theme: Theme | undefined;
  let themeReadAt = -Infinity;
  let observer: PageObserver | undefined;

  // Listen first: a "Rate with Groundtruth" can come while the config is still on its way.
  let config: ContentConfig = options.config ?? FALLBACK_CONFIG;
  const states = new WidgetStates({ port, signal, starMode: () => config.starMode, criteria: () => config.criteria ?? [] });
  const selections = createSelectionWidgets({ port, signal, states, kind: () => config.selectionKind });
  const configReady = options.config ? Promise.resolve(options.config) : loadConfig(port);
  const unlisten = port.listen((message) => {
    if (signal.aborted) return;
    if (message.type === 'statuses-changed') states.take(message.statuses);
    else if (message.type === 'rate-selection') void configReady.then(() => rateSelection(message.selectionText));
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

  /** Reads the page's theme near `near` (at most every THEME_EVERY_MS) and gives every widget a new one. */
  function readTheme(near: Element): Theme | undefined {
    const now = performance.now();
    if (now - themeReadAt < THEME_EVERY_MS && theme) return theme;
    themeReadAt = now;
    const next = themeOf(near);
    if (next !== theme) {
      theme = next;
      states.setTheme(next);
    }
    return theme;
  }

  function reportFailure(adapter: SiteAdapter, err: unknown) {
    if (failed.has(adapter.id)) return;
    failed.add(adapter.id);
    // One broken adapter must not break the others or the page.
    console.warn(`[groundtruth] the ${adapter.id} adapter failed on this page:`, err);
  }

  const answers = createAnswerWidgets({
    signal,
    states,
    timing,
    theme: readTheme,
    reportFailure,
    placed: (widgets) => announce(EVENT_PLACED, { widgets, ...timing, sinceFirstScanMs: performance.now() - timing.firstScanAt }),
  });

  /** Asks once per conversation for the rater's own ratings in it (other devices, a reinstall). */
  function openConversations() {
    for (const adapter of adapters) {
      const conversationId = adapter.site ? adapter.conversationId(url) : undefined;
      if (!conversationId || opened.has(`${adapter.site} ${conversationId}`)) continue;
      opened.add(`${adapter.site} ${conversationId}`);
      void port
        .send({ type: 'open-conversation', site: adapter.site, conversationId })
        .then((answer) => {
          if (!signal.aborted) states.take((answer as { statuses?: unknown } | undefined)?.statuses);
        })
        .catch(() => undefined);
    }
  }

  const siteOn = () => config.siteEnabled[new URL(location.href).hostname] !== false;

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
    answers.settle(started);
    announce(EVENT_SCANNED, { widgets: answers.count, queued: answers.queued, scans: timing.scans });
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
    answers.scan(adapters, url, moved);
    if (siteOn()) void selections.restore();
    if (config.reportHealth) visits.observe(builtins, url);
    openConversations();
    const first = answers.firstAnchor();
    if (first) readTheme(first);
  }

  function rateSelection(selectionText: string) {
    if (signal.aborted || !siteOn()) return;
    selections.rate(selectionText);
  }

  /** Watches the page once something may be on it: answers (adapters, rules) or stored quotes to find again. */
  function observe() {
    if (observer) return;
    const attributes = new Set<string>();
    for (const adapter of BUILTIN_ADAPTERS) if (adapter.matches(url)) adapter.watchAttributes.forEach((a) => attributes.add(a));
    if (config.rules.length > 0) attributes.add('aria-busy');
    observer = observePage(document.body, scan, { signal, attributes: [...attributes], onRecords: answers.noteMutations });
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
  }

  // ---- lifetime -------------------------------------------------------------------------------

  announce(EVENT_READY, { adapters: adapters.map((a) => a.id), rules: config.rules.length });
  if (adapters.length > 0 || config.rules.length > 0) {
    observe();
    scan();
  } else if (siteOn()) {
    // A page no adapter or rule concerns: only its rated selections, if it has any.
    void selections.restore().then(() => {
      if (selections.waiting && !signal.aborted) observe();
    });
  }

  signal.addEventListener(
    'abort',
    () => {
      unlisten();
      answers.destroy();
      selections.destroy();
    },
    { once: true },
  );

  return {
    scan,
    idle: answers.idle,
    rateSelection,
    get count() {
      return answers.count;
    },
    config,
  };
}

function inertController(config: ContentConfig): ContentController {
  return { scan() {}, idle: () => Promise.resolve(), rateSelection() {}, count: 0, config };
}
