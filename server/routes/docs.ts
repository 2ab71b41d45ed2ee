/**
 * GET /docs: the API reference, rendered once from the OpenAPI document (routes do not change after
 * the app is built). Not itself in the OpenAPI document: it is the document, as a page.
 */
import { Hono } from 'hono';
import { DOCS_CSP, renderDocsPage } from '../docs/render.ts';
import type { AppEnv } from '../lib/types.ts';

export function docsRoutes(getDocument: () => object) {
  let page: string | undefined;
  return new Hono<AppEnv>().get('/docs', function docsPage(c) {
    page ??= renderDocsPage(getDocument() as Record<string, unknown>);
    c.header('Content-Security-Policy', DOCS_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-cache');
    return c.html(page);
  });
}
