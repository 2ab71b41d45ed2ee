/**
 * A public ingest key reaches POST /v1/sync and nothing else, whatever routes exist: every
 * operation of the OpenAPI document is tried with a key, from the key's own origin, so a route
 * added later is closed to keys without anyone remembering to close it.
 */
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/helpers/app.ts';
import { PUBLIC_KEY_ROUTES } from './public-key.ts';

const APP = 'https://app.example.com';

describe('public keys in bearerAuth', () => {
  it('refuse every route but POST /v1/sync with 403 public_key_not_allowed', async () => {
    const t = await createTestApp();
    const admin = (await t.token('admin')).token;
    const { key } = await (await t.call(admin, 'POST', '/v1/public-keys', { name: 'app', origins: [APP] })).json();
    const doc = await (await t.app.request('/openapi.json')).json();
    let tried = 0;
    for (const [template, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      const path = template.replace(/\{[^}]+\}/g, 'x');
      for (const method of Object.keys(ops)) {
        const route = `${method.toUpperCase()} ${path}`;
        // Allowed; or /healthz and the docs, which need no token at all: a key gets no more than anyone there.
        if (PUBLIC_KEY_ROUTES.has(route) || (!path.startsWith('/v1/') && !path.startsWith('/api/v1/') && path !== '/metrics')) continue;
        // An operation that takes no token (`security: []`, e.g. POST /v1/connect): a key is not read there either.
        const security = (ops[method] as { security?: unknown[] }).security;
        if (Array.isArray(security) && security.length === 0) continue;
        const res = await t.app.request(path, {
          method: method.toUpperCase(),
          headers: { Authorization: `Bearer ${key}`, Origin: APP, 'Content-Type': 'application/json' },
          ...(method === 'get' || method === 'head' ? {} : { body: '{}' }),
        });
        expect(res.status, route).toBe(403);
        expect((await res.json()).error.code, route).toBe('public_key_not_allowed');
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(40);
    expect([...PUBLIC_KEY_ROUTES]).toEqual(['POST /v1/sync']);
  });

  it('an unknown or revoked key is 401 like a bad token', async () => {
    const t = await createTestApp();
    const res = await t.app.request('/v1/sync', { method: 'POST', headers: { Authorization: 'Bearer gtpk_nope', Origin: APP, 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });
});
