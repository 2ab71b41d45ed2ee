/**
 * The API description is complete and valid: every route the app serves is in /openapi.json (and
 * every operation there is served), the document passes an OpenAPI 3.1 validator, and /docs renders
 * it as a page without scripts.
 */
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { DOCS_CSS_HASH } from '../../server/docs/render.ts';
import { createTestApp } from '../helpers/app.ts';

/**
 * Served routes that are pages, not API operations. A new one must be added here on purpose;
 * anything else the app serves must be described in the OpenAPI document.
 */
const PAGES = [/^\/openapi\.json$/, /^\/docs$/, /^\/dashboard(\/|$)/, /^\/embed(\.js|\.js\.map|\/demo)$/];

type Spec = { openapi: string; paths: Record<string, Record<string, unknown>> };

async function setup() {
  const t = await createTestApp();
  const res = await t.app.request('/openapi.json');
  expect(res.status).toBe(200);
  return { t, spec: (await res.json()) as Spec };
}

/** Hono's "/v1/feedback/:id" is OpenAPI's "/v1/feedback/{id}". */
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('describes every route the app serves, and serves every operation it describes', async () => {
    const { t, spec } = await setup();
    const served = new Set<string>();
    for (const route of t.app.routes) {
      if (route.method === 'ALL') continue; // middleware
      const path = toOpenApiPath(route.path);
      if (PAGES.some((p) => p.test(path))) continue;
      served.add(`${route.method.toLowerCase()} ${path}`);
    }
    const described = new Set<string>();
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) described.add(`${method} ${path}`);
    }
    expect(served.size).toBeGreaterThan(10);
    expect([...served].filter((r) => !described.has(r)), 'served but missing from /openapi.json').toEqual([]);
    expect([...described].filter((r) => !served.has(r)), 'described but not served').toEqual([]);
    for (const must of ['post /v1/items', 'get /v1/items', 'post /v1/events', 'get /v1/events', 'get /v1/feedback/accuracy', 'put /v1/feedback/{id}', 'post /api/v1/feedback/{conversation_id}']) {
      expect(described).toContain(must);
    }
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { spec } = await setup();
    expect(spec.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(spec) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the validator does catch a broken document', async () => {
    const { spec } = await setup();
    const broken = structuredClone(spec) as unknown as { paths: Record<string, Record<string, { parameters: { in: string }[] }>> };
    broken.paths['/v1/items']!.get!.parameters[0]!.in = 'nowhere';
    expect((await validate(broken as never)).valid).toBe(false);
  });
});

describe('GET /docs', () => {
  it('renders every operation, with a CSP that allows no script and only its own stylesheet', async () => {
    const { t, spec } = await setup();
    const res = await t.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src '${DOCS_CSS_HASH}'`);
    expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
    const page = await res.text();
    expect(page).not.toMatch(/<script/i);
    for (const path of Object.keys(spec.paths)) expect(page).toContain(`<span class="path">${path}</span>`);
    expect(page).toContain('shape 2'); // the union bodies are shown as alternatives
  });

  it('needs no token', async () => {
    const { t } = await setup();
    expect((await t.app.request('/docs')).status).toBe(200);
    expect((await t.app.request('/openapi.json')).status).toBe(200);
  });
});
