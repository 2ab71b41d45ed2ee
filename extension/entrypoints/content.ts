/**
 * The content script: wires the controller (extension/content/controller.ts) to the browser.
 *
 * Declared for the built-in sites only (their hosts come from extension/sites/index.ts); the
 * background registers the same built file for the hosts of custom and published rules the rater
 * granted, and injects it into a tab when "Rate with Groundtruth" is clicked there (activeTab):
 * docs/decisions/0050. On a page no adapter or rule concerns it costs two messages to the
 * background and a listener: no widget, and no observer unless a rated selection of the page
 * waits for its text to show (docs/decisions/0016, 0032).
 */
import { browser } from 'wxt/browser';
import type { ContentMessage, Message } from '../messages.ts';
import { startContent, type ContentPort } from '../content/controller.ts';
import { BUILTIN_MATCHES } from '../sites/index.ts';

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
  matches: [...BUILTIN_MATCHES],
  runAt: 'document_idle',
  main(ctx) {
    void startContent({ port, signal: ctx.signal });
  },
});
