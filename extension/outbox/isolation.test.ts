/**
 * IndexedDB opened from a content script belongs to the host page's origin (DESIGN, "Known facts"),
 * and the token must never reach a content script: content-script code must not import the outbox,
 * Dexie, settings storage or the sync client. It reaches them by messaging.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const EXT = path.resolve(import.meta.dirname, '..');
const CONTENT_PATHS = ['entrypoints/content.ts', 'entrypoints/content', 'content', 'sites', 'widget', 'config.ts'];
const FORBIDDEN = /from\s+['"](dexie|[^'"]*\/(outbox|sync|background)\/[^'"]*)['"]/;

function files(p: string): string[] {
  if (!fs.existsSync(p)) return [];
  if (fs.statSync(p).isFile()) return [p];
  return fs.readdirSync(p).flatMap((f) => files(path.join(p, f)));
}

describe('content scripts stay out of the extension origin', () => {
  it('no content-script module imports the outbox, Dexie, the background settings or the sync client', () => {
    const offenders = CONTENT_PATHS.flatMap((p) => files(path.join(EXT, p)))
      .filter((f) => /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f))
      .filter((f) => FORBIDDEN.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(EXT, f));
    expect(offenders).toEqual([]);
  });

  it('the check itself catches such an import', () => {
    expect(FORBIDDEN.test(`import { getOutbox } from '../outbox/instance.ts';`)).toBe(true);
    expect(FORBIDDEN.test(`import Dexie from 'dexie';`)).toBe(true);
    expect(FORBIDDEN.test(`import { loadSettings } from '../background/settings.ts';`)).toBe(true);
    expect(FORBIDDEN.test(`import { Message } from '../messages.ts';`)).toBe(false);
  });
});
