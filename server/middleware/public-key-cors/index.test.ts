import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/helpers/app.ts';

const APP = 'http://127.0.0.1:5173';

describe('publicKeyCors', () => {
  it('answers a preflight only for an origin a live key lists, exactly as the browser sends it', async () => {
    const t = await createTestApp();
    const admin = (await t.token('admin')).token;
    const preflight = (origin?: string) =>
      t.app.request('/v1/sync', { method: 'OPTIONS', headers: { ...(origin ? { Origin: origin } : {}), 'Access-Control-Request-Method': 'POST' } });
    expect((await preflight(APP)).status).toBe(403); // no key yet
    await t.call(admin, 'POST', '/v1/public-keys', { name: 'dev', origins: [APP] });
    const ok = await preflight(APP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(ok.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    for (const other of ['http://127.0.0.1:5174', 'http://localhost:5173', `${APP}/`, 'null', undefined]) {
      const res = await preflight(other);
      expect(res.status, String(other)).toBe(403);
      expect(res.headers.get('Access-Control-Allow-Origin'), String(other)).toBeNull();
    }
  });

  it('leaves requests of other origins as they were: a token from the extension syncs without CORS headers', async () => {
    const t = await createTestApp();
    const rater = (await t.token('rater')).token;
    const res = await t.app.request('/v1/sync', {
      method: 'POST',
      headers: { Authorization: `Bearer ${rater}`, 'Content-Type': 'application/json', Origin: 'chrome-extension://abcdef' },
      body: JSON.stringify({ clientId: 'c', mutations: [] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
