// @vitest-environment happy-dom
/**
 * Conventions of the site adapters (STYLE.md, "Refined GitHub"): one file per site in
 * extension/sites/, registered under the ids and sites of shared/sites.ts, with its selectors in
 * one exported SELECTORS object, a page in test/fixtures/sites/<id>/ for every layout it declares
 * (the layout's selectors really find the answers there), a unit test on its pages, and URLs to
 * check by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ADAPTERS } from '../../extension/sites/index.ts';
import { BUILTIN_SITE_IDS, BUILTIN_SITES } from '../../shared/sites.ts';
import { loadSiteFixture, SITE_FIXTURES } from '../helpers/sites.ts';

function pagesOf(id: string): string[] {
  const dir = path.join(SITE_FIXTURES, id);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort() : [];
}

const SITES = path.resolve(import.meta.dirname, '../../extension/sites');
/** Files in extension/sites/ that are not one site's adapter (the DOM readers are in extension/sites/dom/). */
const HELPERS = new Set(['types.ts', 'index.ts', 'chat-site.ts', 'custom-rule.ts']);

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

  it('the registry lists exactly the built-in sites of shared/sites.ts, each with its target.site', () => {
    expect(BUILTIN_ADAPTERS.map((a) => a.id).sort()).toEqual([...BUILTIN_SITE_IDS].sort());
    for (const adapter of BUILTIN_ADAPTERS) {
      expect(adapter.site, adapter.id).toBe(BUILTIN_SITES[adapter.id as keyof typeof BUILTIN_SITES]);
    }
  });

  for (const adapter of BUILTIN_ADAPTERS) {
    describe(adapter.id, () => {
      it('has a saved real page in test/fixtures/sites/', () => {
        expect(pagesOf(adapter.id).length, `add a saved page to test/fixtures/sites/${adapter.id}/`).toBeGreaterThan(0);
      });

      it('has a page for every layout it declares, on which that layout finds the answers', () => {
        const found = new Map<string, string>();
        for (const page of pagesOf(adapter.id)) {
          loadSiteFixture(`${adapter.id}/${page}`);
          const survey = adapter.survey!(document);
          if (survey.answers > 0 && !found.has(survey.layout)) found.set(survey.layout, page);
        }
        expect(adapter.layoutNames.length).toBeGreaterThan(0);
        for (const layout of adapter.layoutNames) {
          expect(found.has(layout), `add a page of the ${layout} layout to test/fixtures/sites/${adapter.id}/`).toBe(true);
        }
      });

      it('each page starts with a header comment naming its URL pattern', () => {
        for (const page of pagesOf(adapter.id)) {
          const head = fs.readFileSync(path.join(SITE_FIXTURES, adapter.id, page), 'utf8').slice(0, 2000);
          expect(head, page).toMatch(/^<!--[\s\S]*?URL Pattern: https:\/\/[\s\S]*?-->/);
        }
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
