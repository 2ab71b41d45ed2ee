import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOCS_CSS, DOCS_CSS_HASH, esc, renderDocsPage } from './render.ts';

const hostile = '<img src=x onerror=alert(1)>"\'&';

describe('renderDocsPage', () => {
  it('escapes every string that comes from the document', () => {
    const page = renderDocsPage({
      openapi: '3.1.0',
      info: { title: hostile, version: hostile, description: hostile },
      paths: {
        '/v1/x/{id}': {
          post: {
            tags: [hostile],
            summary: hostile,
            description: `use \`${hostile}\``,
            parameters: [{ name: hostile, in: 'query', description: hostile, schema: { type: 'string', pattern: hostile } }],
            requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { [hostile]: { type: 'string', description: hostile, enum: [hostile] } } } } } },
            responses: { '200': { description: hostile } },
          },
        },
      },
    });
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/onerror=alert\(1\)>/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('expands $ref schemas and stops on cycles', () => {
    const page = renderDocsPage({
      info: { title: 't' },
      components: { schemas: { Node: { type: 'object', properties: { child: { $ref: '#/components/schemas/Node' }, label: { type: 'string' } }, required: ['label'] } } },
      paths: { '/n': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } } } },
    });
    expect(page).toContain('<code>label</code>');
    expect(page).toContain('required');
  });

  it('the CSP hash is the hash of the stylesheet it ships', () => {
    expect(DOCS_CSS_HASH).toBe(`sha256-${createHash('sha256').update(DOCS_CSS).digest('base64')}`);
    expect(esc('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});
