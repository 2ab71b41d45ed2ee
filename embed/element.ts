/**
 * `<groundtruth-rating>`: the extension's rating widget (extension/widget/) in a web app's own page,
 * in an open shadow root of this element, with `data-gt-state` and the `[data-gt=…]` hooks of
 * DESIGN.md ("Extension test hooks"). Attributes (README, "The widget in your own app"):
 *
 *   server           the Groundtruth server (default: the origin embed.js was loaded from)
 *   public-key       a public ingest key (gtpk_…) that lists this page's origin
 *   target-key       the answer's stable id (default: host + path or conversation id + position + content hash)
 *   kind             target kind (default chat_response)
 *   model, prompt, conversation-id, criterion, user-id
 *   output | output-selector   the answer's text, or a CSS selector of the element holding it
 *   stars            also show 1–5 stars
 *   hashes-only      send hashes of the prompt and output, never their text
 *   theme            light | dark (default: from the page's background)
 *
 * Un-rating is not offered: a public key may not delete, so clicking the chosen thumb again keeps it.
 */
import { criterionRowKey, splitRowKey } from '../extension/criterion-key.ts';
import type { TargetStatus } from '../extension/messages.ts';
import { positionKey } from '../extension/sites/dom/keys.ts';
import { mountWidget, type MountedWidget } from '../extension/widget/mount.ts';
import { themeOf, type Theme } from '../extension/widget/theme.ts';
import type { WidgetChange, WidgetProps, WidgetStatus } from '../extension/widget/widget.tsx';
import { LIMITS } from '../shared/limits.ts';
import type { Target, TargetKind } from '../shared/schemas.ts';
import { controllerFor, type ControllerOptions, type EmbedController, type RatingHost } from './controller.ts';

export const RATING_TAG = 'groundtruth-rating';

const short = (s: string | null | undefined) => (s ? s.slice(0, LIMITS.shortTextMaxChars) : undefined);

/**
 * The page's light or dark look (extension/widget/theme.ts), read for all elements connected in one
 * task at once: reading computed styles between the writes of 300 mounts made the browser
 * recompute styles 300 times (~1 ms each on a page of 300 answers).
 */
let themeQueue: { widget: MountedWidget; el: Element }[] = [];
function followPageTheme(widget: MountedWidget, el: Element): void {
  if (themeQueue.push({ widget, el }) > 1) return;
  queueMicrotask(() => {
    const batch = themeQueue;
    themeQueue = [];
    const themes = batch.map(({ el }) => themeOf(el.parentElement)); // reads only…
    batch.forEach(({ widget }, i) => widget.setTheme(themes[i]!)); // …then writes
  });
}

/**
 * The element's index among the page's `<groundtruth-rating>` elements. One list per task, built
 * again only for an element not in it: 300 elements connecting at once each searching the live
 * collection cost ~15 ms (test/bench/embed.ts).
 */
let positions: Map<Element, number> | undefined;
function positionOf(el: Element): number {
  let at = positions?.get(el);
  if (at === undefined) {
    if (!positions) queueMicrotask(() => (positions = undefined));
    positions = new Map(Array.from(el.ownerDocument.getElementsByTagName(RATING_TAG), (e, i) => [e, i]));
    at = positions.get(el) ?? -1;
  }
  return at;
}

export function defineRatingElement(defaultServer: string, options: ControllerOptions = {}, registry: CustomElementRegistry = customElements): void {
  if (registry.get(RATING_TAG)) return; // the script included twice

  class GroundtruthRating extends HTMLElement implements RatingHost {
    rowKey = '';
    private widget?: MountedWidget;
    private controller?: EmbedController;
    private status: WidgetStatus = { state: 'none' };

    private attr(name: string): string | undefined {
      return this.getAttribute(name)?.trim() || undefined;
    }

    private props(): WidgetProps {
      return { status: this.status, starMode: this.hasAttribute('stars'), onChange: (change) => void this.change(change) };
    }

    /** The answer's text: the `output` attribute, or the text of the element `output-selector` names. */
    private output(): string | undefined {
      const direct = this.getAttribute('output');
      if (direct) return direct;
      const selector = this.attr('output-selector');
      if (!selector) return undefined;
      try {
        return this.ownerDocument.querySelector(selector)?.textContent?.trim() || undefined;
      } catch {
        return undefined; // not a valid selector
      }
    }

    private targetKey(): string {
      const given = this.attr('target-key');
      if (given) return given.slice(0, LIMITS.keyMaxChars);
      // Like the extension's custom rules (sites/custom-rule.ts): page, position, content hash.
      const position = positionOf(this);
      const where = this.attr('conversation-id') ?? location.pathname;
      return positionKey(location.hostname, where, position, this.output() ?? this.attr('prompt') ?? '');
    }

    /** Attributes that decide where ratings go and which row this element shows. */
    static observedAttributes = ['public-key', 'server', 'user-id', 'target-key', 'criterion'];

    connectedCallback(): void {
      if (!this.widget) {
        const theme = this.attr('theme');
        const given = theme === 'dark' || theme === 'light' ? (theme as Theme) : undefined;
        this.widget = mountWidget(this.props(), { host: this, theme: given ?? 'light' });
        if (!given) followPageTheme(this.widget, this);
      }
      this.attach();
    }

    /**
     * Joins the controller of its server, key and user id, under its row key. The key is kept
     * across a move or a framework's re-insertion (a position-based key would change), and
     * recomputed only when one of the observed attributes changes.
     */
    private attach(): void {
      const publicKey = this.attr('public-key');
      if (!publicKey) {
        // Frameworks may set attributes just after inserting the element: say so only if it stays without one.
        setTimeout(() => {
          if (!this.controller && this.isConnected) console.warn('<groundtruth-rating>: no public-key attribute; ratings cannot be sent.');
        }, 1000);
        return;
      }
      this.controller = controllerFor({ server: this.attr('server') ?? defaultServer, publicKey, userId: short(this.attr('user-id')) }, options);
      this.rowKey ||= criterionRowKey(this.targetKey(), this.attr('criterion'));
      this.controller.register(this);
    }

    attributeChangedCallback(_name: string, before: string | null, after: string | null): void {
      if (before === after || !this.widget || !this.isConnected) return;
      this.controller?.unregister(this);
      this.controller = undefined;
      this.rowKey = '';
      this.showStatus({ key: '', state: 'none' });
      this.attach();
    }

    disconnectedCallback(): void {
      this.controller?.unregister(this);
    }

    showStatus(status: TargetStatus): void {
      const { key: _key, ...shown } = status;
      this.status = shown;
      this.widget?.update(this.props());
    }

    private async change(change: WidgetChange): Promise<void> {
      // A public key may not delete: "un-rate" keeps the vote (re-render the widget as it was).
      if (change.remove || !this.controller) {
        this.widget?.update(this.props());
        return;
      }
      const target: Target = {
        kind: (this.attr('kind') ?? 'chat_response') as TargetKind,
        // The key as connected (positions may have moved since): the row's own.
        key: splitRowKey(this.rowKey).targetKey,
        site: location.hostname.slice(0, LIMITS.shortTextMaxChars),
        url: location.href.slice(0, LIMITS.urlMaxChars),
      };
      const criterion = this.attr('criterion');
      const model = short(this.attr('model'));
      const conversationId = short(this.attr('conversation-id'));
      const prompt = this.getAttribute('prompt') || undefined;
      const output = this.output();
      if (model) target.model = model;
      if (conversationId) target.conversationId = conversationId;
      if (prompt) target.prompt = prompt;
      if (output) target.output = output;
      try {
        await this.controller.rate(
          {
            target,
            rating: change.rating,
            ...(change.comment ? { comment: change.comment } : {}),
            ...(change.correction ? { correction: change.correction } : {}),
            ...(criterion ? { criterion } : {}),
          },
          { hashesOnly: this.hasAttribute('hashes-only') },
        );
      } catch (err) {
        this.showStatus({ key: this.rowKey, state: 'rejected', error: `not saved: ${String(err)}` });
      }
    }
  }

  registry.define(RATING_TAG, GroundtruthRating);
}
