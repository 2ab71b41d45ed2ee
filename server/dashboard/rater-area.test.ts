/**
 * A rater reaches the rater area and nothing else of the dashboard (DESIGN, "Who uses the
 * dashboard"): every route the dashboard's router holds is asked for as a signed-in rater, with a
 * valid CSRF field on POSTs, and every one outside the rater area (rater-area.tsx) is 403. The list
 * comes from the routers, so a page added later is covered without touching this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { dashboardRoutes } from './index.ts';
import { inRaterArea } from './layout.tsx';
import { raterArea } from './rater-area.tsx';
import { signInRoutes } from './sign-in.tsx';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';
let t: TestApp;
let cookie = '';
let csrf = '';

beforeAll(async () => {
  t = await createTestApp();
  const rater = (await t.token('rater', { raterId: 'alice', name: 'Alice' })).token;
  const res = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token: rater }).toString(),
  });
  cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  csrf = /name="_csrf" value="([^"]+)"/.exec(await (await t.app.request('/dashboard/queues', { headers: { Cookie: cookie } })).text())?.[1] ?? '';
  expect(csrf).not.toBe('');
});
afterAll(async () => {
  await t.store.close();
});

const key = (method: string, path: string) => `${method} ${path}`;
/** Pages and forms (not the middleware, the static assets or the catch-all). */
const pagesOf = (routes: { method: string; path: string }[]) =>
  routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/assets/')).map((r) => ({ method: r.method, path: r.path }));

describe('a rater in the dashboard', () => {
  const all = pagesOf(dashboardRoutes().routes);
  const area = new Set(pagesOf(raterArea.routes).map((r) => key(r.method, r.path)));
  const doors = new Set(pagesOf(signInRoutes.routes).map((r) => key(r.method, r.path)));
  const others = [...new Map(all.filter((r) => !area.has(key(r.method, r.path)) && !doors.has(key(r.method, r.path))).map((r) => [key(r.method, r.path), r])).values()];

  it('the routers hold the rater area and many other pages', () => {
    expect(area.size).toBeGreaterThanOrEqual(5);
    expect(others.length).toBeGreaterThan(20);
    for (const r of area) expect(inRaterArea(`/dashboard${r.split(' ')[1]}`), r).toBe(true);
    for (const r of others) expect(inRaterArea(`/dashboard${r.path}`), key(r.method, r.path)).toBe(false);
  });

  it('is refused (403) on every route outside the rater area', async () => {
    const refusedWith: string[] = [];
    for (const r of others) {
      const path = `/dashboard${r.path.replace(/:(\w+)(\{[^}]*\})?/g, 'x')}`.replace(/\/$/, '') || '/dashboard';
      const res =
        r.method === 'GET'
          ? await t.app.request(path, { headers: { Cookie: cookie } })
          : await t.app.request(path, {
              method: r.method,
              headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, Cookie: cookie },
              body: new URLSearchParams({ _csrf: csrf }).toString(),
            });
      if (res.status !== 403) refusedWith.push(`${r.method} ${path}: ${res.status}`);
    }
    expect(refusedWith).toEqual([]);
  });

  it('reaches the rater area', async () => {
    for (const path of ['/dashboard/queues', '/dashboard/my-ratings', '/dashboard/connect']) {
      expect((await t.app.request(path, { headers: { Cookie: cookie } })).status, path).toBe(200);
    }
  });
});
