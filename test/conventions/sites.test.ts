/**
 * Conventions of the site adapters (STYLE.md, "Refined GitHub"): one file per site in
 * extension/sites/, registered, with its selectors in one exported SELECTORS object, a saved real
 * page in test/fixtures/sites/<id>/, a unit test on that page, and URLs to check by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ADAPTERS } from '../../extension/sites/index.ts';
import { SITE_FIXTURES } from '../helpers/sites.ts';

const SITES = path.resolve(import.meta.dirname, '../../extension/sites');
/** Files in extension/sites/ that are not one site's adapter. */
const HELPERS = new Set(['types.ts', 'index.ts', 'dom.ts', 'chat-site.ts', 'custom-rule.ts']);

describe('site adapter conventions', () => {
  it('every adapter file in extension/sites/ is registered', () => {
    const files = fs
      .readdirSync(SITES)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !HELPERS.has(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual(BUILTIN_ADAPTERS.map((a) => a.id).sort());
  });

  it('adapter ids are unique', () => {
    const ids = BUILTIN_ADAPTERS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const adapter of BUILTIN_ADAPTERS) {
    describe(adapter.id, () => {
      it('has a saved real page in test/fixtures/sites/', () => {
        const dir = path.join(SITE_FIXTURES, adapter.id);
        const pages = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.html')) : [];
        expect(pages.length, `add a saved page to test/fixtures/sites/${adapter.id}/`).toBeGreaterThan(0);
      });

      it('has a unit test that loads its saved page', () => {
        const test = path.join(SITES, `${adapter.id}.test.ts`);
        expect(fs.existsSync(test), `write extension/sites/${adapter.id}.test.ts`).toBe(true);
        const source = fs.readFileSync(test, 'utf8');
        expect(source).toMatch(new RegExp(`['"\`]${adapter.id}/[^'"\`]+\\.html['"\`]`));
        expect(source).toMatch(/^\/\/ @vitest-environment (happy-dom|jsdom)/);
      });

      it('keeps its selectors in one exported SELECTORS object', () => {
        const source = fs.readFileSync(path.join(SITES, `${adapter.id}.ts`), 'utf8');
        expect(source).toMatch(/export const SELECTORS = \{/);
      });

      it('lists URLs to check by hand after a site redesign', () => {
        expect(adapter.testUrls.length).toBeGreaterThan(0);
      });
    });
  }
});
