/**
 * Loads a saved real page (test/fixtures/sites/) into the test's DOM. Use in a test file that runs
 * in happy-dom (`// @vitest-environment happy-dom` on its first line).
 */
import fs from 'node:fs';
import path from 'node:path';

export const SITE_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/sites');

export function readSiteFixture(name: string): string {
  return fs.readFileSync(path.join(SITE_FIXTURES, name), 'utf8');
}

/** Replaces the document's body with the saved page and returns the document. */
export function loadSiteFixture(name: string): Document {
  document.body.innerHTML = readSiteFixture(name);
  return document;
}

interface KeyedAdapter {
  findAnswers(root: ParentNode): Element[];
  key(answer: Element, position: number, url: URL): string;
  anchor(answer: Element): Element;
}

/** Keys of every answer on the saved page, read on a fresh copy of it. */
export function keysOn(adapter: KeyedAdapter, fixture: string, url: URL): string[] {
  loadSiteFixture(fixture);
  return adapter.findAnswers(document).map((el, i) => adapter.key(el, i, url));
}

/**
 * Keys after a widget-like element was placed at each answer's anchor: what the controller does.
 * Keys must not change because of our own widgets.
 */
export function keysWithWidgets(adapter: KeyedAdapter, fixture: string, url: URL): string[] {
  loadSiteFixture(fixture);
  for (const el of adapter.findAnswers(document)) {
    const widget = document.createElement('groundtruth-widget');
    widget.textContent = 'Good Bad Comment';
    adapter.anchor(el).after(widget);
  }
  return adapter.findAnswers(document).map((el, i) => adapter.key(el, i, url));
}
