/**
 * Bad-input campaign (issue 7): fast-check sends hostile requests to every route of the real app
 * (the list is read from app.routes when the test runs, so routes added later are covered without
 * editing this file): wrong types, huge and deep JSON, odd Unicode, wrong content types, truncated
 * bodies, injection text, bad tokens. Every answer must be below 500; errors of the API are JSON
 * `{ error: { code, message } }`; and input that was refused changes no table's row count.
 * Runs on SQLite and again on PostgreSQL (npm run test:postgres).
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/open.ts';
import { createTestApp, makeFeedback, upsert } from '../helpers/app.ts';
import { testBackend } from '../helpers/backend.ts';
import { contentType, hostileBody, hostileString, INJECTIONS, sample } from './hostile.ts';

const TOTAL = Number(process.env.GT_FUZZ_REQUESTS ?? 10_000);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const QUERY_KEYS = [
  'since', 'until', 'from', 'to', 'model', 'site', 'kind', 'rater', 'thumb', 'minStars', 'maxStars', 'includeDeleted',
  'limit', 'cursor', 'q', 'subject', 'format', 'groupBy', 'by', 'bucket', 'days', 'split', 'intent', 'project', 'status',
  'investigationId', 'type', 'after', 'before', 'token',
];
/** URLs carry UTF-8: a lone surrogate cannot be percent-encoded, so it becomes U+FFFD first. */
const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();
const encode = (s: string) => encodeURIComponent(wellFormed(s));
/** Field names the dashboard's forms use, plus a few it never reads. */
const FORM_FIELDS = ['token', 'name', 'role', 'body', 'q', 'next', 'comment', 'correction', 'thumb', 'stars', 'label', 'workspace', 'rater', 'note'];
const ORIGIN = 'http://localhost';
const RAW_PARAMS = ['%', '%zz', '%E0%A4%A', '%C0%AF', '..%2F..%2F', '%00', '%FF%FE', '%2e%2e', 'a%20b', '%F0%9F%92%A9'];

/** All row counts in one statement (one round trip on PostgreSQL). */
async function counter(store: Store): Promise<() => Promise<string>> {
  const tables = (await store.db.introspection.getTables()).map((t) => t.name).filter((n) => /^[a-z_][a-z0-9_]*$/.test(n));
  const query = sql.raw(tables.map((t) => `select '${t}' as t, count(*) as n from "${t}"`).join(' union all '));
  return async () => {
    const { rows } = await query.execute(store.db);
    return (rows as { t: string; n: number | string }[]).map((r) => `${r.t}=${Number(r.n)}`).join(' ');
  };
}

describe(`bad-input campaign (${testBackend()})`, () => {
  it(`every route answers ${TOTAL}+ hostile requests below 500, with JSON errors, and refused input changes nothing`, async () => {
    // The per-token rate limit has its own tests; here it would turn the campaign into 429s.
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const admin = (await t.token('admin')).token;
    const analyst = (await t.token('analyst')).token;
    const rater = await t.token('rater');
    const outsider = (await t.token('admin', { workspaceId: 'elsewhere' })).token;
    const seeded = Array.from({ length: 8 }, () => makeFeedback());
    const seededRes = await t.call(rater.token, 'POST', '/v1/sync', { clientId: 'seed', mutations: seeded.map(upsert) });
    expect(seededRes.status).toBe(200);
    // Dashboard sessions (cookie + CSRF token from a page), so its routes are reached past sign-in.
    const session = async (token: string) => {
      const res = await t.app.request('/dashboard/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
        body: new URLSearchParams({ token }).toString(),
      });
      const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
      const page = await t.app.request('/dashboard/search', { headers: { Cookie: cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      expect(cookie, 'dashboard sign-in').toMatch(/=/);
      return { cookie, csrf };
    };
    const sessions = [await session(admin), await session(analyst)];
    /** A successful sign-out ends a session the generators hand out: sign in again, in place. */
    const renewSessions = async () => {
      Object.assign(sessions[0]!, await session(admin));
      Object.assign(sessions[1]!, await session(analyst));
    };
    const dashboardAuth = fc.record({
      session: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...sessions) }, { weight: 2, arbitrary: fc.constantFrom(undefined, { cookie: 'gt_session=forged', csrf: 'x' }) }),
      origin: fc.oneof({ weight: 8, arbitrary: fc.constant(ORIGIN) }, { weight: 2, arbitrary: fc.constantFrom(undefined, 'https://evil.example', 'null') }),
      goodCsrf: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
      fields: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FORM_FIELDS), hostileString), hostileString), { maxLength: 5 }),
    });
    const doc = (await (await t.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, any>> };
    const counts = await counter(t.store);

    const routes = [
      ...new Map(
        t.app.routes.filter((r) => r.method !== 'ALL').map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }]),
      ).values(),
    ];
    expect(routes.length).toBeGreaterThan(3);
    // Documents and assets (GET, no parameters) take no input but the query: a few runs each; the
    // rest of the budget goes to the routes that read parameters and bodies.
    const isStatic = (r: { method: string; path: string }) => r.method === 'GET' && !r.path.includes(':') && /^\/(openapi\.json|docs|healthz|dashboard\/assets\/)/.test(r.path);
    const STATIC_RUNS = 25;
    const statics = routes.filter(isStatic).length;
    const perRoute = Math.ceil((TOTAL - statics * STATIC_RUNS) / (routes.length - statics));
    const ids = [...seeded.map((f) => f.id), rater.info.raterId, rater.info.id, 'default', 'elsewhere'];
    const paramValue = fc.oneof(
      { weight: 3, arbitrary: hostileString.map(encode) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_PARAMS) },
      { weight: 1, arbitrary: fc.constantFrom(...ids).map(encode) },
    );
    const auth = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(admin, analyst, rater.token, outsider).map((tok) => `Bearer ${tok}`) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          undefined,
          '',
          'Bearer',
          'Bearer gt_forged',
          `Basic ${btoa('admin:admin')}`,
          `Bearer ${'a'.repeat(10_000)}`,
          `Bearer ${admin} extra`,
          `bearer ${admin.toUpperCase()}`,
          "Bearer ' OR 1=1 --",
        ),
      },
    );
    const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), hostileString), hostileString), { maxLength: 4 });

    let before = await counts();
    const figures = { requests: 0, byStatus: {} as Record<number, number>, refusedWrites: 0, msByBody: {} as Record<string, number> };
    const slowest: [number, string][] = [];
    for (const route of routes) {
      const openapiPath = route.path.replace(/:(\w+)/g, '{$1}');
      const schema = doc.paths[openapiPath]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
      // The sync envelope accepts any objects as mutations: start from real ones to reach the store.
      const fresh = makeFeedback();
      const templates: Record<string, unknown> = {
        'POST /v1/sync': { clientId: 'fuzz', mutations: [upsert(fresh), { id: seeded[0]!.id, op: 'delete', updatedAt: fresh.updatedAt }] },
        'POST /v1/feedback': fresh,
      };
      const valid = (templates[`${route.method} ${route.path}`] ?? (schema ? sample(schema, doc) : { id: seeded[0]!.id, note: 'x' })) as never;
      const request = fc.record({
        method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
        params: fc.array(paramValue, { minLength: 3, maxLength: 3 }),
        query,
        auth,
        contentType,
        body: hostileBody(valid),
        dashboard: dashboardAuth,
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let i = 0;
          const path = route.path.replace(/:(\w+)\??/g, () => r.params[i++]!);
          const qs = r.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
          const headers: Record<string, string> = {};
          const withBody = r.method !== 'GET' && r.method !== 'HEAD';
          let body: BodyInit | undefined = withBody ? ((r.body.bytes as BodyInit | undefined) ?? r.body.text) : undefined;
          if (path.startsWith('/dashboard')) {
            // Browser-shaped: a session cookie, an Origin, and form fields with (usually) the CSRF token.
            const d = r.dashboard;
            if (d.session) headers.Cookie = d.session.cookie;
            if (d.origin) headers.Origin = d.origin;
            if (withBody && r.body.kind !== 'mutated') {
              const fields = new URLSearchParams(d.fields.map(([k, v]) => [wellFormed(k), wellFormed(v)]));
              if (d.session && d.goodCsrf) fields.set('_csrf', d.session.csrf);
              headers['Content-Type'] = 'application/x-www-form-urlencoded';
              body = fields.toString();
            } else if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
          } else {
            if (r.auth !== undefined) headers.Authorization = r.auth;
            if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
          }
          const t0 = performance.now();
          const res = await t.app.request(`${path}${qs ? `?${qs}` : ''}`, {
            method: r.method,
            headers,
            body,
          });
          const text = r.method === 'HEAD' ? '' : await res.text();
          const ms = performance.now() - t0;
          figures.msByBody[r.body.kind] = Math.round((figures.msByBody[r.body.kind] ?? 0) + ms);
          if (ms > 200) slowest.push([Math.round(ms), `${r.method} ${route.path} ${r.body.kind} ${res.status}`]);
          figures.requests++;
          figures.byStatus[res.status] = (figures.byStatus[res.status] ?? 0) + 1;
          const where = `${r.method} ${path} (${route.method} ${route.path}, body ${r.body.kind})`;
          if (res.status >= 500) throw new Error(`${res.status} for ${where}: ${text.slice(0, 300)}`);
          const apiPath = !path.startsWith('/dashboard');
          if (res.status >= 400 && apiPath && r.method !== 'HEAD') {
            const type = res.headers.get('Content-Type') ?? '';
            if (!type.includes('application/json')) throw new Error(`${res.status} without a JSON body for ${where}: ${type}`);
            const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') {
              throw new Error(`${res.status} error body not { error: { code, message } } for ${where}: ${text.slice(0, 200)}`);
            }
          }
          if (path.startsWith('/dashboard/sign-out') && res.status < 400) await renewSessions();
          if (!MUTATING.has(r.method)) return;
          let refused = res.status >= 400;
          if (res.status === 200 && path === '/v1/sync') {
            const results = (JSON.parse(text) as { results?: { status: string }[] }).results ?? [];
            refused = results.every((x) => x.status === 'rejected');
          }
          const after = await counts();
          if (refused) {
            figures.refusedWrites++;
            if (after !== before) throw new Error(`refused (${res.status}) but rows changed for ${where}:\n before ${before}\n after  ${after}`);
          }
          before = after;
        }),
        { numRuns: isStatic(route) ? STATIC_RUNS : perRoute, endOnFailure: true },
      );
    }
    console.log(`[bad-input:${t.store.dialect}] ${routes.length} routes (${statics} static × ${STATIC_RUNS}, others × ${perRoute}): ${JSON.stringify(figures)}`);
    console.log(`slowest: ${JSON.stringify(slowest.sort((a, b) => b[0] - a[0]).slice(0, 15))}`);
    expect(figures.requests).toBeGreaterThanOrEqual(TOTAL);
    // The store still answers normally afterwards.
    const ok = await t.call(admin, 'GET', '/v1/feedback?limit=1');
    expect(ok.status).toBe(200);
  }, 900_000);

  it('injection text is stored and read back as plain data, never run', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const tricky = INJECTIONS.filter((s) => s.length > 0 && !s.includes('\u0000') && !/[\ud800-\udfff]/.test(s));
    const records = tricky.map((s, i) => ({
      ...makeFeedback({ target: { kind: 'chat_response', key: `k${i}:${s}`, model: s.slice(0, 200), output: s } }),
      comment: s,
    }));
    const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'c', mutations: records.map(upsert) });
    const statuses = ((await res.json()) as { results: { status: string }[] }).results.map((r) => r.status);
    expect(statuses.every((s) => s === 'applied')).toBe(true);
    for (const f of records) {
      const got = (await (await t.call(token, 'GET', `/v1/feedback/${f.id}`)).json()) as { comment: string; target: { key: string } };
      expect(got.comment).toBe(f.comment);
      expect(got.target.key).toBe(f.target.key);
    }
    const tables = (await t.store.db.introspection.getTables()).map((x) => x.name);
    expect(tables).toContain('feedback');
  });
});
