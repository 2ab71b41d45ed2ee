/**
 * Bad-input campaign (issue 7): fast-check sends hostile requests to every route of the real app
 * (the list is read from app.routes when the test runs, so routes added later are covered without
 * editing this file): wrong types, huge and deep JSON, odd Unicode, wrong content types, truncated
 * bodies, injection text, bad tokens. Every answer must be below 500; errors of the API are JSON
 * `{ error: { code, message } }`; and input that was refused changes no table's row count.
 * Runs on SQLite and again on PostgreSQL (npm run test:postgres).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/open.ts';
import { CSV_COLUMNS } from '../../server/exports/formats/csv.ts';
import { withAudit } from '../../server/audit/log.ts';
import { createTestApp, makeFeedback, upsert, yielding } from '../helpers/app.ts';
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
  // Not rate_limit_counters: a refused request still counts against its address (the rating
  // links' limits are always on), and on PostgreSQL those counts are flushed on a 1 s timer, so
  // they change between any two counts. They are the limiter's bookkeeping, not stored input.
  const tables = (await store.db.introspection.getTables())
    .map((t) => t.name)
    .filter((n) => /^[a-z_][a-z0-9_]*$/.test(n) && n !== 'rate_limit_counters');
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
          // A test app runs no background jobs, so /readyz honestly answers 503 (not ready) here.
          const notReady = route.path === '/readyz' && res.status === 503;
          if (res.status >= 500 && !notReady) throw new Error(`${res.status} for ${where}: ${text.slice(0, 300)}`);
          // A rating link's form post is answered with pages, as the dashboard's are (routes/rating-link.ts).
          const linkForm = path.startsWith('/r/') && r.method === 'POST' && /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(headers['Content-Type'] ?? '');
          const apiPath = !path.startsWith('/dashboard') && !linkForm;
          if (res.status >= 400 && apiPath && r.method !== 'HEAD') {
            const type = res.headers.get('Content-Type') ?? '';
            if (!type.includes('application/json')) throw new Error(`${res.status} without a JSON body for ${where}: ${type}`);
            const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') {
              throw new Error(`${res.status} error body not { error: { code, message } } for ${where}: ${text.slice(0, 200)}`);
            }
          }
          if (path.startsWith('/dashboard/sign-out') && res.status < 400) await renewSessions();
          if (!MUTATING.has(r.method)) {
            // A read that succeeded may still write on purpose (an export is audited and recorded as a run).
            if (res.status < 400) before = await counts();
            return;
          }
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

  it("another workspace's record ids answer exactly as unused ones, and its rows stay as they were (issue 13, item 7)", async () => {
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const owner = await t.token('rater');
    const outsiders = [(await t.token('admin', { workspaceId: 'elsewhere' })).token, (await t.token('rater', { workspaceId: 'elsewhere' })).token];
    const theirs = Array.from({ length: 4 }, () => makeFeedback());
    expect((await t.call(owner.token, 'POST', '/v1/sync', { clientId: 'seed', mutations: theirs.map(upsert) })).status).toBe(200);
    const snapshot = async () =>
      JSON.stringify([
        await t.store.db.selectFrom('feedback').selectAll().where('workspace_id', '=', 'default').orderBy('id').execute(),
        await t.store.db.selectFrom('feedback_events').selectAll().where('workspace_id', '=', 'default').orderBy('id').execute(),
      ]);
    const untouched = await snapshot();
    const twins = theirs.map(() => makeFeedback().id);
    const at = fc.integer({ min: -5_000, max: 5_000 }).map((ms) => new Date(Date.parse(theirs[0]!.updatedAt) + ms).toISOString());
    const probe = fc.record({
      victim: fc.integer({ min: 0, max: theirs.length - 1 }),
      token: fc.constantFrom(...outsiders),
      kind: fc.constantFrom('get', 'patch', 'put', 'delete', 'sync-upsert', 'sync-delete', 'post'),
      comment: hostileString,
      at,
    });
    await fc.assert(
      fc.asyncProperty(probe, async (p) => {
        const taken = theirs[p.victim]!.id;
        const send = (id: string) => {
          const target = { kind: 'chat_response', key: `probe:${id}`, site: 'chatgpt', prompt: 'p', output: 'o' };
          const f = { ...makeFeedback({ id, target, updatedAt: p.at, createdAt: theirs[0]!.createdAt }), comment: p.comment };
          switch (p.kind) {
            case 'get': return t.call(p.token, 'GET', `/v1/feedback/${id}`);
            case 'patch': return t.call(p.token, 'PATCH', `/v1/feedback/${id}`, { comment: p.comment });
            case 'put': return t.call(p.token, 'PUT', `/v1/feedback/${id}`, { rating: 1, comment: p.comment });
            case 'delete': return t.call(p.token, 'DELETE', `/v1/feedback/${id}`);
            case 'post': return t.call(p.token, 'POST', '/v1/feedback', f);
            case 'sync-delete': return t.call(p.token, 'POST', '/v1/sync', { clientId: 'probe', mutations: [{ id, op: 'delete', updatedAt: p.at }] });
            default: return t.call(p.token, 'POST', '/v1/sync', { clientId: 'probe', mutations: [upsert(f)] });
          }
        };
        // Its twin goes through the same history in "elsewhere" as the taken id: both began unused there.
        const unused = twins[p.victim]!;
        const shown = async (res: Response, id: string) => `${res.status} ${(await res.text()).split(id).join('ID').replace(/"(serverTime|receivedAt|updatedAt)":"[^"]+"/g, '')}`; // times the server's clock set
        const a = await shown(await send(taken), taken);
        const b = await shown(await send(unused), unused);
        expect(a).toBe(b);
        expect(await snapshot()).toBe(untouched);
      }),
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('a CSV export of hostile text keeps one row per record, and no line of a cell starts a formula (issue 13, item 1)', async () => {
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const { token } = await t.token('rater');
    const analyst = (await t.token('analyst')).token;
    const risky = /^[=+\-@\t\r＝＋－＠]/;
    const piece = fc.constantFrom('\n', '\r', '\r\n', '=', '+', '-', '@', '\t', '＝', '"', ',', ';', "'", 'cmd|calc', 'a', ' ');
    const text = fc.oneof(
      { weight: 3, arbitrary: fc.array(piece, { minLength: 1, maxLength: 12 }).map((p) => p.join('')) },
      { weight: 1, arbitrary: hostileString.filter((s) => s.length > 0 && s.length <= 200) },
    );
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ comment: text, prompt: text, output: text, model: text }), { minLength: 1, maxLength: 4 }), async (specs) => {
        const records = specs.map((s) => ({
          ...makeFeedback({ target: { kind: 'chat_response', key: `csv:${crypto.randomUUID()}`, model: s.model, prompt: s.prompt, output: s.output } }),
          comment: s.comment,
        }));
        const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'csv', mutations: records.map(upsert) });
        const results = ((await res.json()) as { results: { status: string }[] }).results;
        stored += results.filter((r) => r.status === 'applied').length;
        const csv = await (await t.call(analyst, 'GET', '/v1/exports/csv?all=true')).text();
        // Outside quotes, a spreadsheet ends a row at CR, LF or CRLF.
        const rows = parseCsv(csv, { record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true }) as string[][];
        expect(rows).toHaveLength(stored + 1);
        for (const row of rows) {
          expect(row.length, JSON.stringify(row)).toBe(CSV_COLUMNS.length);
          for (const cell of row) for (const line of cell.split(/\r\n|\n|\r/)) expect(risky.test(line), JSON.stringify(cell)).toBe(false);
        }
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });

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

  it('times more than MAX_CLOCK_SKEW_SECONDS ahead are refused as clock_ahead on every write route and change nothing (issue 13, item 4)', async () => {
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const { token } = await t.token('rater');
    const mine = makeFeedback();
    expect((await t.call(token, 'POST', '/v1/feedback', mine)).status).toBe(201);
    const counts = await counter(t.store);
    const before = await counts();
    const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const probe = fc.record({
      // Past the default skew (300 s; 2 s of margin for the time this takes) up to year 9999, in any offset notation.
      aheadMs: fc.oneof(fc.integer({ min: 302_000, max: 3_600_000 }), fc.integer({ min: 3_600_000, max: 2 ** 40 })),
      offset: fc.constantFrom('Z', '+14:00', '-12:00', '+00:00'),
      field: fc.constantFrom('updatedAt', 'createdAt', 'both'),
      route: fc.constantFrom('sync-upsert', 'sync-delete', 'post', 'patch'),
    });
    await fc.assert(
      fc.asyncProperty(probe, async (p) => {
        const ms = Math.min(Date.now() + p.aheadMs, LAST - 14 * 3_600_000);
        const zone = p.offset === 'Z' ? 0 : (p.offset.startsWith('-') ? -1 : 1) * Number(p.offset.slice(1, 3)) * 3_600_000;
        const when = `${new Date(ms + zone).toISOString().slice(0, 23)}${p.offset}`;
        const now = new Date().toISOString();
        const f = makeFeedback({ createdAt: p.field === 'updatedAt' ? now : when, updatedAt: p.field === 'createdAt' ? now : when });
        let refused: boolean;
        if (p.route === 'post' || p.route === 'patch') {
          const res = p.route === 'post'
            ? await t.call(token, 'POST', '/v1/feedback', f)
            : await t.call(token, 'PATCH', `/v1/feedback/${mine.id}`, { comment: 'x', updatedAt: when }); // PATCH takes updatedAt only
          const body = (await res.json()) as { error?: { code: string } };
          refused = res.status === 422 && body.error?.code === 'clock_ahead';
        } else {
          const mutation = p.route === 'sync-delete' ? { id: mine.id, op: 'delete', updatedAt: when } : upsert(f);
          if (p.route === 'sync-delete' && p.field === 'createdAt') return; // a delete carries no createdAt
          const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'skew', mutations: [mutation] });
          const [r] = ((await res.json()) as { results: { status: string; reason?: string }[] }).results;
          refused = r?.status === 'rejected' && r.reason === 'clock_ahead';
        }
        expect(refused, `${p.route} ${p.field} ${when}`).toBe(true);
        expect(await counts()).toBe(before);
      }),
      { numRuns: 200, endOnFailure: true },
    );
  });

  it('webhook URLs at loopback, private, link-local or special addresses are refused however they are spelt, and store nothing (issue 13, item 3)', async () => {
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const admin = (await t.token('admin')).token;
    const counts = await counter(t.store);
    const before = await counts();
    const octet = fc.integer({ min: 0, max: 255 });
    // [first octets, prefix length] of special IPv4 ranges.
    const v4 = fc
      .constantFrom<[number[], number]>([[127], 8], [[10], 8], [[0], 8], [[169, 254], 16], [[192, 168], 16], [[172, 16], 12], [[100, 64], 10], [[198, 18], 15], [[224], 4], [[240], 4])
      .chain(([head, bits]) =>
        fc.tuple(octet, octet, octet, octet).map((rest) => {
          const all = [...head, ...rest].slice(0, 4);
          const n = all.reduce((a, b) => a * 256 + b, 0) >>> 0;
          const mask = bits === 32 ? 0xffffffff : ~(2 ** (32 - bits) - 1) >>> 0;
          const base = head.concat([0, 0, 0, 0]).slice(0, 4).reduce((a, b) => a * 256 + b, 0) >>> 0;
          return ((base & mask) | (n & ~mask)) >>> 0;
        }),
      );
    const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const hex4 = (n: number) => `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
    const spelling = fc.oneof(
      v4.chain((n) =>
        fc.constantFrom(
          dotted(n).join('.'),
          String(n),
          `0x${n.toString(16)}`,
          `0X${n.toString(16).toUpperCase()}`,
          dotted(n).map((o) => `0${o.toString(8)}`).join('.'),
          dotted(n).map((o) => `0x${o.toString(16)}`).join('.'),
          `${dotted(n)[0]}.${n & 0xffffff}`,
          `${dotted(n)[0]}.${dotted(n)[1]}.${n & 0xffff}`,
          `${dotted(n).join('.')}.`,
          `[::ffff:${dotted(n).join('.')}]`,
          `[::ffff:${hex4(n)}]`,
          `[64:ff9b::${dotted(n).join('.')}]`,
          `[2002:${hex4(n)}::1]`,
        ),
      ),
      fc.constantFrom('[::1]', '[::]', '[0:0:0:0:0:0:0:1]', '[fe80::1%25eth0]', '[fd00::abcd]', '[fc00::1]', '[ff02::1]', '[fec0::1]', 'localhost', 'LOCALHOST', 'x.localhost', 'localhost.'),
    );
    const url = fc
      .tuple(fc.constantFrom('http', 'https', 'HTTP'), spelling, fc.constantFrom('', ':80', ':8787', ':65535'), fc.constantFrom('', 'user:pw@'), fc.constantFrom('/', '/hook', '/latest/meta-data/?x=1#f'))
      .map(([scheme, host, port, auth, rest]) => `${scheme}://${auth}${host}${port}${rest}`);
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(url, fc.constantFrom(['feedback.negative'], ['export.completed', 'site.broken']), async (u, events) => {
        const res = await t.call(admin, 'POST', '/v1/webhooks', { url: u, events });
        const body = (await res.json()) as { error?: { code: string } };
        expect(res.status, u).toBe(422);
        expect(['webhook_address_not_allowed', 'validation_failed'], u).toContain(body.error?.code);
        if (body.error?.code === 'webhook_address_not_allowed') refused++;
        expect(await counts()).toBe(before);
      }),
      { numRuns: 400, endOnFailure: true },
    );
    // The address check, not the URL schema, is what refuses them.
    expect(refused).toBeGreaterThan(300);
  });

  it('unauthenticated requests and sign-ins are limited per client address, whatever they carry, and never answered 5xx (issue 13, item 5)', async () => {
    const { RateCounters } = await import('../../server/middleware/rate-limit/counters.ts');
    const { createApp } = await import('../../server/app.ts');
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const limit = 8;
    // A fixed clock: the whole campaign falls in one window.
    const app = yielding(createApp({ store: t.store, rateLimitPerMinute: 0, rateLimitUnauthenticatedPerMinute: limit, trustProxy: 1, rateCounters: new RateCounters({ now: () => Date.UTC(2026, 2, 1, 10, 0, 30) }) }));
    const valid = (await t.token('analyst')).token;
    const sockets = ['198.51.100.1', '198.51.100.2', '::ffff:198.51.100.3'];
    const forwarded = ['192.0.2.1', '192.0.2.2', '2001:db8::7'];
    const request = fc.record({
      socket: fc.constantFrom(...sockets),
      // Believed: the last entry, when it is an address; the rest is the client's to invent.
      xff: fc.option(fc.tuple(fc.array(hostileString, { maxLength: 2 }), fc.option(fc.constantFrom(...forwarded), { nil: undefined })), { nil: undefined }),
      auth: fc.oneof(fc.constant(undefined), fc.constant(`Bearer ${valid}`), hostileString.map((s) => `Bearer ${s}`), hostileString),
      route: fc.constantFrom('GET /v1/feedback', 'POST /v1/sync', 'GET /api/v1/feedback/c1', 'POST /dashboard/sign-in', 'GET /dashboard/feedback'),
    });
    const evaluated = new Map<string, number>();
    const limitedAt = new Map<string, number>();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [method, path] = r.route.split(' ') as [string, string];
        const xff = r.xff && [...r.xff[0], ...(r.xff[1] ? [r.xff[1]] : [])].join(', ');
        const headers: Record<string, string> = {};
        // Header values must be ByteStrings; hostile text that is not goes in percent-encoded.
        const header = (v: string) => (/^[\x20-\x7e\t]*$/.test(v) ? v : encodeURIComponent(wellFormed(v)));
        if (r.auth !== undefined) headers.Authorization = header(r.auth);
        if (xff) headers['X-Forwarded-For'] = header(xff);
        // Whom the server should count this against: the last X-Forwarded-For entry if it is an address, else the socket.
        const lastHop = (headers['X-Forwarded-For'] ?? '').split(',').map((h) => h.trim()).filter(Boolean).at(-1);
        const key = lastHop && forwarded.includes(lastHop) ? lastHop : r.socket.replace(/^::ffff:/, '');
        let body: string | undefined;
        if (path === '/dashboard/sign-in') {
          headers['Content-Type'] = 'application/x-www-form-urlencoded';
          headers.Origin = ORIGIN;
          body = new URLSearchParams({ token: r.auth ?? '' }).toString();
        } else if (method === 'POST') {
          headers['Content-Type'] = 'application/json';
          body = JSON.stringify({ clientId: 'c', mutations: [] });
        }
        const res = await app.request(path, { method, headers, body }, { incoming: { socket: { remoteAddress: r.socket } } });
        requests++;
        expect(res.status, r.route).toBeLessThan(500);
        if (res.status === 429) {
          expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
          if (!path.startsWith('/dashboard')) expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
          // The first 429 comes exactly when the address has used its limit.
          if (!limitedAt.has(key)) expect(evaluated.get(key) ?? 0, key).toBe(limit);
          limitedAt.set(key, evaluated.get(key) ?? 0);
          return;
        }
        // Past its limit an address is answered 429 before anything else is looked at.
        expect(limitedAt.has(key), `${key} was limited, then answered ${res.status}`).toBe(false);
        // Authenticated: a valid bearer token got past auth (anything but 401), or a sign-in succeeded (303).
        const authenticated = res.status === 303 || (!path.startsWith('/dashboard') && res.status !== 401);
        if (!authenticated) evaluated.set(key, (evaluated.get(key) ?? 0) + 1);
      }),
      { numRuns: 600, endOnFailure: true },
    );
    expect(requests).toBe(600);
    for (const [key, n] of evaluated) expect(n, key).toBeLessThanOrEqual(limit);
    expect(limitedAt.size).toBeGreaterThan(0);
  });

  it('every audited admin action that succeeds adds one entry, naming its actor; one that is refused adds none (issue 13, item 10)', async () => {
    const t = await createTestApp({ rateLimitPerMinute: 0 });
    const admin = await t.token('admin', { name: 'fuzz-admin' });
    const doc = (await (await t.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, any>> };
    const bodyOf = (path: string, method: string) => sample(doc.paths[path]![method].requestBody.content['application/json'].schema, doc);
    const hook = (await (await t.call(admin.token, 'POST', '/v1/webhooks', { url: 'https://hooks.example.com/x', events: ['feedback.negative'] })).json()) as { id: string };
    const routes = [
      { method: 'PATCH', url: '/v1/settings', action: 'settings.changed', valid: { retentionDays: 30 } },
      { method: 'POST', url: '/v1/webhooks', action: 'webhook.created', valid: bodyOf('/v1/webhooks', 'post') },
      { method: 'PUT', url: '/v1/extension-config', action: 'extension_config.published', valid: { rules: [], disabledAdapters: [] } },
      { method: 'DELETE', url: `/v1/webhooks/${hook.id}`, action: 'webhook.deleted', valid: undefined },
    ] as const;
    const entries = () => withAudit(t.store.db).selectFrom('audit_log').select(['action', 'actor_id']).orderBy('id').execute();
    const attempt = fc
      .constantFrom(...routes)
      .chain((route) => fc.tuple(fc.constant(route), route.valid === undefined ? fc.constant(undefined) : fc.option(hostileBody(route.valid as never), { nil: undefined })));
    await fc.assert(
      fc.asyncProperty(attempt, async ([route, broken]) => {
        const before = (await entries()).length;
        const body = route.valid === undefined ? undefined : broken ? (broken.bytes ?? broken.text ?? '') : JSON.stringify(route.valid);
        const res = await t.app.request(route.url, {
          method: route.method,
          headers: { Authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: body as BodyInit | undefined,
        });
        expect(res.status).toBeLessThan(500);
        const after = await entries();
        if (res.status >= 200 && res.status < 300) {
          expect(after.length, `${route.method} ${route.url} ${res.status}`).toBe(before + 1);
          expect(after.at(-1)).toEqual({ action: route.action, actor_id: admin.info.id });
        } else expect(after.length, `${route.method} ${route.url} ${res.status}`).toBe(before);
      }),
      { numRuns: 300, endOnFailure: true },
    );
  });
});
