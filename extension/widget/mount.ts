/**
 * Puts a Widget in the page: a `groundtruth-widget` element with an open shadow root (open, so
 * end-to-end tests and assistive tech can reach inside), and one `destroy()` that takes it away.
 * Content scripts cannot define custom elements in Chrome (their `customElements` is null in the
 * isolated world), so the element stays an undefined custom element: attachShadow accepts any
 * valid custom element name.
 */
import { h, render } from 'preact';
import { Widget, type WidgetProps } from './widget.tsx';
import { WIDGET_CSS } from './styles.ts';
import type { Theme } from './theme.ts';

export const WIDGET_TAG = 'groundtruth-widget';

export interface MountedWidget {
  readonly host: HTMLElement;
  update(props: WidgetProps): void;
  setTheme(theme: Theme): void;
  destroy(): void;
}

/** Events that stop at the widget: the page must not react to typing or clicks inside it. */
const CONTAINED_EVENTS = ['keydown', 'keyup', 'keypress', 'click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'input'];

export function mountWidget(props: WidgetProps, options: { theme?: Theme; doc?: Document } = {}): MountedWidget {
  const doc = options.doc ?? document;
  const host = doc.createElement(WIDGET_TAG);
  host.setAttribute('data-gt-state', props.status.state);
  if (options.theme) host.setAttribute('data-theme', options.theme);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = WIDGET_CSS;
  const container = doc.createElement('div');
  shadow.append(style, container);
  // Sites listen on document for keys (ChatGPT moves focus to its composer when you type):
  // keep events from inside the widget from reaching them.
  for (const type of CONTAINED_EVENTS) shadow.addEventListener(type, (e) => e.stopPropagation());
  render(h(Widget, props), container);
  return {
    host,
    update(next) {
      if (host.getAttribute('data-gt-state') !== next.status.state) host.setAttribute('data-gt-state', next.status.state);
      render(h(Widget, next), container);
    },
    setTheme(theme) {
      if (host.getAttribute('data-theme') !== theme) host.setAttribute('data-theme', theme);
    },
    destroy() {
      render(null, container);
      host.remove();
    },
  };
}
