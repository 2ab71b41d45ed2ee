/**
 * Puts a Widget in the page: a `groundtruth-widget` element with an open shadow root (open, so
 * end-to-end tests and assistive tech can reach inside), and one `destroy()` that takes it away.
 * Content scripts cannot define custom elements in Chrome (their `customElements` is null in the
 * isolated world), so the element stays an undefined custom element: attachShadow accepts any
 * valid custom element name.
 *
 * Cheap to place hundreds: a widget with nothing rated yet starts as a clone of a prototype that
 * Preact rendered once, and Preact takes it over (hydrate: same nodes, listeners attached) on the
 * first pointer, focus or click inside it, or when its status changes. Rendering each widget with
 * Preact up front cost ~5× more on a page of 300 answers (see docs/decisions on the widget).
 */
import { h, hydrate, render } from 'preact';
import { Widget, type WidgetProps } from './widget.tsx';
import { WIDGET_CSS } from './styles.ts';
import type { Theme } from './theme.ts';
import { WIDGET_TAG } from './tag.ts';

export { WIDGET_TAG };

export interface MountedWidget {
  readonly host: HTMLElement;
  update(props: WidgetProps): void;
  setTheme(theme: Theme): void;
  destroy(): void;
}

/** Events that stop at the widget: the page must not react to typing or clicks inside it. */
const CONTAINED_EVENTS = ['keydown', 'keyup', 'keypress', 'click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'input'];
/** The first of these inside a pristine widget hands it to Preact (capture phase: before the target's own listeners run). */
const WAKE_EVENTS = ['pointerover', 'focusin', 'click'];

/** Props a widget can start from without Preact: nothing rated, nothing open. */
function isPristine(props: WidgetProps): boolean {
  const { status } = props;
  return (
    status.state === 'none' &&
    !status.rating &&
    !status.comment &&
    !status.correction &&
    !status.error &&
    !props.openForm &&
    !props.autoFocus &&
    !props.onClose
  );
}

const stop = (e: Event) => e.stopPropagation();

/**
 * The shadow content of a widget: the style and the container Preact renders into, holding the
 * DOM Preact renders for a pristine widget (`starMode` decides which). Built once per document
 * and star mode; each widget clones it in one call.
 */
const prototypes = new WeakMap<Document, Map<string, DocumentFragment>>();

function prototypeFor(doc: Document, starMode: boolean | null): DocumentFragment {
  let byMode = prototypes.get(doc);
  if (!byMode) prototypes.set(doc, (byMode = new Map()));
  const id = String(starMode);
  let proto = byMode.get(id);
  if (!proto) {
    proto = doc.createDocumentFragment();
    const style = doc.createElement('style');
    style.textContent = WIDGET_CSS;
    const container = doc.createElement('div');
    if (starMode !== null) {
      const scratch = doc.createElement('div');
      render(h(Widget, { status: { state: 'none' }, starMode, onChange() {} }), scratch);
      container.append(scratch.firstElementChild!.cloneNode(true));
      render(null, scratch);
    }
    proto.append(style, container);
    byMode.set(id, proto);
  }
  return proto;
}

export interface MountOptions {
  theme?: Theme;
  doc?: Document;
  /**
   * An element to hold the widget instead of a new `groundtruth-widget` (the embed's
   * `<groundtruth-rating>`, embed/element.ts): its shadow root is attached here, and destroy()
   * empties it rather than removing the element, which belongs to the page.
   */
  host?: HTMLElement;
}

export function mountWidget(props: WidgetProps, options: MountOptions = {}): MountedWidget {
  const doc = options.doc ?? options.host?.ownerDocument ?? document;
  const ownHost = !options.host;
  const host = options.host ?? doc.createElement(WIDGET_TAG);
  host.setAttribute('data-gt-state', props.status.state);
  if (options.theme) host.setAttribute('data-theme', options.theme);
  const shadow = host.attachShadow({ mode: 'open' });
  const pristine = isPristine(props);
  // One clone: the style, the container and, for a pristine widget, its whole bar.
  shadow.append(prototypeFor(doc, pristine ? props.starMode : null).cloneNode(true));
  const container = shadow.lastElementChild as HTMLElement;
  // Sites listen on document for keys (ChatGPT moves focus to its composer when you type):
  // keep events from inside the widget from reaching them. Added when the widget comes alive:
  // a pointer, focus or click always arrives first, and wakes it (see WAKE_EVENTS).
  const contain = () => {
    for (const type of CONTAINED_EVENTS) shadow.addEventListener(type, stop);
  };

  const initial = props;
  let current = props;
  let live = false;
  const wake = () => {
    if (live) return;
    live = true;
    for (const type of WAKE_EVENTS) shadow.removeEventListener(type, wake, true);
    // Listeners added now, at the capture phase, still run for the event that woke the widget.
    contain();
    hydrate(h(Widget, initial), container);
    if (current !== initial) render(h(Widget, current), container);
  };

  if (pristine) {
    for (const type of WAKE_EVENTS) shadow.addEventListener(type, wake, true);
  } else {
    live = true;
    contain();
    render(h(Widget, props), container);
  }

  return {
    host,
    update(next) {
      if (host.getAttribute('data-gt-state') !== next.status.state) host.setAttribute('data-gt-state', next.status.state);
      current = next;
      if (live) render(h(Widget, next), container);
      // Still pristine and nothing to show differently: stay a plain clone.
      else if (!isPristine(next) || next.starMode !== initial.starMode) wake();
    },
    setTheme(theme) {
      if (host.getAttribute('data-theme') !== theme) host.setAttribute('data-theme', theme);
    },
    destroy() {
      if (live) render(null, container);
      if (ownHost) host.remove();
      else shadow.replaceChildren();
    },
  };
}
