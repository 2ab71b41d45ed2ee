/**
 * Nothing is silently ignored (issue 12, item 1; DESIGN, "Errors"): on EVERY operation of the
 * OpenAPI document a query parameter the route does not know is 400 `unknown_parameter`, and on
 * every operation with a JSON body a field it does not know is 422 `unknown_field`, both naming it
 * and listing what the route accepts (`details: {unknown, accepted}`). Every dashboard GET page
 * refuses an unknown query parameter the same way. Routes are read from the app itself
 * (`/openapi.json`, `app.routes`), so a new route is covered without anyone listing it here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';

const BOGUS = 'gtBogusParam';
const BOGUS_FIELD = 'gtBogusField';

type Operation = { requestBody?: { content?: Record<string, unknown> } };
type Spec = { paths: Record<string, Record<string, Operation>> };
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * Routes whose refusals have another shape, and why. They still refuse; for them only the status
 * and the name in the body are checked.
 * - The seed drop-ins (002's /v1/feedback family in its shape, 004's /api/v1/*) answer with the
 *   FastAPI-style `detail` their clients parse (DESIGN, "Errors"), beside or instead of `error`.
 */
const DROPIN = [/^\/api\/v1\//];

/** Operations left out, each with its reason. */
const EXCLUDED: Record<string, string> = {
  'get /healthz': 'the benchmarks\' baseline; stays `{"ok":true}` and cheap (DESIGN, "Health endpoints"), whatever the query',
};

/** `{id}` → a value of the right look (the refusal comes before the id is looked up). */
const fillPath = (path: string) => path.replace(/\{([^}]+)\}/g, (_, name: string) => (/id$/i.test(name) ? 'gt-no-such-id' : 'x'));

let t: Awaited<ReturnType<typeof createTestApp>>;
let admin: string;
let operations: { method: string; path: string; hasJsonBody: boolean }[];

beforeAll(async () => {
  t = await createTestApp();
  admin = (await t.token('admin')).token;
  const spec = (await (await t.app.request('/openapi.json')).json()) as Spec;
  operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ method, path, hasJsonBody: !!op.requestBody?.content?.['application/json'] })),
  );
});

interface Refusal {
  status: number;
  text: string;
  body: { error?: { code?: string; message?: string; details?: { unknown?: unknown; accepted?: unknown } } };
}

async function send(method: string, url: string, body?: unknown): Promise<Refusal> {
  const res = await t.app.request(url, {
    method: method.toUpperCase(),
    headers: { Authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Refusal['body'] = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: the assertions below say so */
  }
  return { status: res.status, text, body: parsed };
}

function expectRefusal(where: string, r: Refusal, status: number, code: string, name: string, dropin: boolean) {
  expect(r.status, `${where}: ${r.text.slice(0, 300)}`).toBe(status);
  expect(r.text, where).toContain(name);
  if (dropin) return;
  expect(r.body.error?.code, where).toBe(code);
  expect(r.body.error?.message, where).toContain(name);
  expect(r.body.error?.details?.unknown, where).toEqual([name]);
  expect(Array.isArray(r.body.error?.details?.accepted), `${where}: details.accepted`).toBe(true);
  expect(r.body.error?.details?.accepted, where).not.toContain(name);
}

describe('every API operation', () => {
  it('is found in the OpenAPI document (the list below is not empty, and includes the envelope routes)', () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    expect(names).toEqual(expect.arrayContaining(['post /v1/sync', 'get /v1/items', 'post /v1/items', 'get /v1/events', 'patch /v1/settings']));
  });

  it(`refuses an unknown query parameter with 400 unknown_parameter, naming it (${BOGUS})`, async () => {
    const failures: string[] = [];
    for (const { method, path } of operations) {
      const key = `${method} ${path}`;
      if (EXCLUDED[key]) continue;
      const where = `${method.toUpperCase()} ${path}?${BOGUS}=1`;
      const r = await send(method, `${fillPath(path)}?${BOGUS}=1`);
      try {
        expectRefusal(where, r, 400, 'unknown_parameter', BOGUS, DROPIN.some((d) => d.test(path)));
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0]!);
      }
    }
    expect(failures).toEqual([]);
  });

  it(`refuses an unknown JSON body field with 422 unknown_field, naming it (${BOGUS_FIELD})`, async () => {
    const failures: string[] = [];
    for (const { method, path, hasJsonBody } of operations) {
      if (!hasJsonBody || EXCLUDED[`${method} ${path}`]) continue;
      const where = `${method.toUpperCase()} ${path} {${BOGUS_FIELD}}`;
      const r = await send(method, fillPath(path), { [BOGUS_FIELD]: 1 });
      try {
        expectRefusal(where, r, 422, 'unknown_field', BOGUS_FIELD, DROPIN.some((d) => d.test(path)));
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0]!);
      }
    }
    expect(failures).toEqual([]);
  });

  it('an empty value counts as absent, not as unknown', async () => {
    const r = await send('get', `/v1/items?${BOGUS}=`);
    expect(r.status, r.text).toBe(200);
  });
});

describe('every dashboard GET page', () => {
  /** Served files, not pages with a query. */
  const ASSETS = /^\/dashboard\/assets\//;

  it(`refuses an unknown query parameter with 400, naming it (${BOGUS})`, async () => {
    const signIn = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ token: admin }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const pages = [
      ...new Set(
        t.app.routes
          .filter((r) => r.method === 'GET' && r.path.startsWith('/dashboard') && !ASSETS.test(r.path) && !r.path.includes('*'))
          .map((r) => r.path),
      ),
    ];
    expect(pages).toEqual(expect.arrayContaining(['/dashboard', '/dashboard/search']));
    const failures: string[] = [];
    for (const page of pages) {
      const url = `${page.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => (/id$/i.test(name) ? 'gt-no-such-id' : 'x'))}?${BOGUS}=1`;
      const res = await t.app.request(url, { headers: { Cookie: cookie } });
      const html = await res.text();
      if (res.status !== 400 || !html.includes(BOGUS)) failures.push(`GET ${page}?${BOGUS}=1 → ${res.status}${html.includes(BOGUS) ? '' : ' (name not shown)'}`);
    }
    expect(failures).toEqual([]);
  });
});
