/**
 * The judges page through app.request: the judges seen, one judge's kappa, agreement, confusion
 * matrix and disagreements (the same figures as GET /v1/insights/calibration), the few-shot
 * download, hostile text from pages and judges escaped, another workspace's judge absent, the
 * query checked like the API's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';
const HOSTILE = '<script>alert(1)</script>&"';

let t: TestApp;
let cookie: string;

beforeAll(async () => {
  t = await createTestApp();
  const admin = (await t.token('admin')).token;
  const elsewhere = (await t.token('admin', { workspaceId: 'elsewhere' })).token;
  const rater = (await t.token('rater', { raterId: 'h1' })).token;
  const analyst = (await t.token('analyst', { name: 'Ana' })).token;
  const post = async (token: string, body: Record<string, unknown>) =>
    expect((await t.call(token, 'POST', '/v1/feedback', makeFeedback(body))).status).toBe(201);
  const target = (key: string) => ({ kind: 'chat_response', key, model: 'gpt-5', prompt: `${HOSTILE} prompt ${key}`, output: `output ${key}` });
  // k1: people up, judge up; k2: people up, judge down (a disagreement with a hostile comment).
  for (const [key, verdict] of [['k1', 'up'], ['k2', 'down']] as const) {
    await post(rater, { target: target(key), rating: { thumb: 'up' } });
    await post(admin, { target: target(key), rating: { thumb: verdict }, source: { type: 'model', name: 'gpt-judge' }, ...(key === 'k2' ? { comment: `${HOSTILE} judged` } : {}) });
  }
  await post(admin, { target: target('k3'), rating: { thumb: 'up' }, source: { type: 'model', name: `${HOSTILE}judge` } });
  await post(elsewhere, { target: target('x1'), rating: { thumb: 'up' }, source: { type: 'model', name: 'their-secret-judge' } });

  const res = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token: analyst }).toString(),
  });
  expect(res.status).toBe(303);
  cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  await t.store.close();
});

const get = (path: string) => t.app.request(path, { headers: { Cookie: cookie } });

describe('dashboard judges', () => {
  it('lists the judges seen, escaped, linked from the navigation; not another workspace\'s', async () => {
    const res = await get('/dashboard/judges');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/dashboard/judges" aria-current="page"');
    expect(html).toContain('data-gt="judges"');
    expect(html).toContain('href="/dashboard/judges?judge=gpt-judge"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;judge');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('their-secret-judge');
    expect(html).not.toContain('data-gt="calibration"');
  });

  it('shows one judge against people: kappa, agreement, the matrix, the disagreements, the few-shot link', async () => {
    const res = await get('/dashboard/judges?judge=gpt-judge');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-gt="calibration"');
    expect(html).toContain('data-gt="confusion-matrix"');
    // n = 2, both people up; the judge up once, down once: 50 %, kappa 0 (p_e = .5).
    expect(html).toMatch(/data-gt="card-agreement">.*?50\.0 %/s);
    expect(html).toMatch(/data-gt="card-kappa">.*?0\.00/s);
    expect(html).toContain('data-gt="calibration-note"');
    expect(html).toContain('data-gt="disagreements"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot; judged');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot; prompt k2');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('prompt k1');
    expect(html).toContain('href="/dashboard/judges/examples.jsonl?judge=gpt-judge"');
  });

  it('downloads the few-shot examples as JSON lines', async () => {
    const res = await get('/dashboard/judges/examples.jsonl?judge=gpt-judge');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('application/x-ndjson');
    const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toEqual([{ input: { prompt: `${HOSTILE} prompt k2`, output: 'output k2' }, human: 'up', judge: 'down', criterion: 'overall' }]);
  });

  it('checks the query like the API: an unknown parameter is 400, a bad scale 422', async () => {
    expect((await get('/dashboard/judges?judge=gpt-judge&bogus=1')).status).toBe(400);
    expect((await get('/dashboard/judges?judge=gpt-judge&scale=vibes')).status).toBe(422);
    // An empty value counts as absent: the list alone.
    const blank = await get('/dashboard/judges?judge=&model=');
    expect(blank.status).toBe(200);
    expect(await blank.text()).not.toContain('data-gt="calibration"');
  });
});
