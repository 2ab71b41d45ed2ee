/**
 * Issue 17, item 3: the server serves the embed bundle (built by bin/build-server.js, which the test
 * setup runs) to any origin, and a demo page that escapes what it is given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { DIST } from '../../bin/build-server.js';
import { embedDir } from './embed.ts';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.store.close();
});

describe('GET /embed.js, /embed.js.map', () => {
  it('serves the built bundle as JavaScript to any origin, without a token, cacheable, under 40 KB gzip', async () => {
    const res = await t.app.request('/embed.js', { headers: { Origin: 'https://app.example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Cache-Control')).toMatch(/max-age=\d+/);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(fs.readFileSync(path.join(DIST, 'embed.js')))).toBe(true);
    expect(body.toString()).toMatch(/\/\/# sourceMappingURL=embed\.js\.map\s*$/);
    expect(gzipSync(body, { level: 9 }).length).toBeLessThanOrEqual(40 * 1024);
    const map = await t.app.request('/embed.js.map');
    expect(map.status).toBe(200);
    expect(map.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect((await map.json()).sources.some((s: string) => s.endsWith('embed/element.ts'))).toBe(true);
  });

  it('finds dist/ from the TypeScript sources and from the bundle beside it', () => {
    expect(embedDir(path.join(DIST, '..', 'server', 'routes'))).toBe(DIST);
    expect(embedDir(DIST)).toBe(DIST);
  });
});

describe('GET /embed/demo', () => {
  it('a fake chat with one element per answer, the key escaped, a CSP that allows only its own script', async () => {
    const res = await t.app.request('/embed/demo?key=gtpk_x"><script>alert(1)</script>');
    expect(res.status).toBe(200);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toContain('<script src="/embed.js" async></script>');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('public-key="gtpk_x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html.match(/<groundtruth-rating /g)).toHaveLength(3);
  });

  it('without a key: explains how to create one for this origin', async () => {
    const html = await (await t.app.request('http://127.0.0.1:8787/embed/demo')).text();
    expect(html).toContain('/v1/public-keys');
    expect(html).toContain('&quot;origins&quot;:[&quot;http://127.0.0.1:8787&quot;]'.replace(/&quot;/g, '"'));
    expect(html).not.toContain('<groundtruth-rating ');
  });
});
