/**
 * The content script: wires the controller (extension/content/controller.ts) to the browser.
 *
 * It runs on every page (<all_urls>) because custom rules and "Rate with Groundtruth" on a text
 * selection work on any site. On a page that no adapter or rule concerns it costs two messages to
 * the background (its config, its rated selections) and a listener: no widget, and no observer
 * unless a rated selection of the page waits for its text to show (docs/decisions/0016, 0032).
 */
import { browser } from 'wxt/browser';
import type { ContentMessage, Message } from '../messages.ts';
import { startContent, type ContentPort } from '../content/controller.ts';

const CONTENT_TYPES = new Set<ContentMessage['type']>(['statuses-changed', 'rate-selection']);

const port: ContentPort = {
  send: (message: Message) => browser.runtime.sendMessage(message),
  listen(listener) {
    const onMessage = (message: unknown) => {
      // Only the background can message a content script; still, check the shape before use.
      if (typeof message === 'object' && message !== null && CONTENT_TYPES.has((message as ContentMessage).type)) {
        listener(message as ContentMessage);
      }
      return undefined;
    };
    browser.runtime.onMessage.addListener(onMessage);
    return () => browser.runtime.onMessage.removeListener(onMessage);
  },
};

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_idle',
  main(ctx) {
    void startContent({ port, signal: ctx.signal });
  },
});
