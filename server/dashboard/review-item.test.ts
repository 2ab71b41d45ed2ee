/**
 * The review pages in the dashboard (issue 14, item 3), through app.request: the queue's filter
 * form (one field per item filter) filters as GET /v1/items does, the page per item shows the
 * error context and the analysis with every analysis field editable, saving writes feedback (stars,
 * comment, the corrected analysis) and opens the next item of the filtered queue, hostile text is
 * escaped, and the keys are documented on the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_FIELDS, ERROR_CATEGORIES, SEVERITIES } from '../../shared/analysis.ts';
import { ITEM_FILTER_PARAMS } from '../../shared/items.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { ITEM_FILTER_INPUTS } from './item-filter-inputs.tsx';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

let t: TestApp;
let analyst: string;
let cookie: string;
let csrf: string;
const ids: Record<string, string> = {};

const form = (data: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, Cookie: cookie },
  body: new URLSearchParams(data).toString(),
});
const get = (path: string) => t.app.request(path, { headers: { Cookie: cookie } });

beforeAll(async () => {
  t = await createTestApp();
  analyst = (await t.token('analyst', { name: 'Ana' })).token;
  const pipeline = (await t.token('rater', { name: 'pipeline' })).token;
  const errorOf = (key: string, createdAt: string, extra: Record<string, unknown> = {}) => ({
    key,
    kind: 'error_analysis',
    subject: 'daily_sales',
    model: 'dagnostics-7b',
    createdAt,
    context: { dag_id: 'daily_sales', task_id: 'load_orders', run_id: `run-${key}`, error_message: `KeyError: region in ${key}` },
    ...extra,
  });
  const res = await t.call(pipeline, 'POST', '/v1/items', {
    items: [
      errorOf('e-new', '2026-03-10T09:00:00Z', { output: 'The export dropped a column.', prediction: { extractedError: 'KeyError: region', category: 'data_quality', severity: 'high', confidence: 0.8, reasoning: 'The column is gone.' } }),
      errorOf('e-mid', '2026-03-10T08:00:00Z', { prediction: { category: 'timeout_error', severity: 'low', confidence: 0.4, reasoning: 'slow' } }),
      errorOf('e-other-day', '2026-03-09T08:00:00Z', { prediction: { category: 'network_error' } }),
      errorOf('e-hostile', '2026-03-10T07:00:00Z', {
        context: { dag_id: HOSTILE, task_id: 'load_orders', error_message: HOSTILE, log_context: HOSTILE },
        prediction: { category: HOSTILE, reasoning: HOSTILE, extractedError: HOSTILE },
      }),
      errorOf('e-waiting', '2026-03-10T06:00:00Z'),
    ],
  });
  for (const r of (await res.json()).results as { key: string; id: string }[]) ids[r.key] = r.id;
  const signIn = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token: analyst }).toString(),
  });
  cookie = (signIn.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get('/dashboard/review')).text())?.[1] ?? '';
  expect(csrf).not.toBe('');
});
afterAll(async () => {
  await t.store.close();
});

const itemIdsOn = (html: string) => [...html.matchAll(/href="\/dashboard\/review\/items\/([^"?]+)[^"]*" data-gt="review-open"/g)].map((m) => m[1]);

describe('the review queue', () => {
  it('has a form field for every item filter but unrated (the queue is the unrated items)', async () => {
    const html = await (await get('/dashboard/review')).text();
    for (const p of ITEM_FILTER_PARAMS) {
      if (ITEM_FILTER_INPUTS[p]) expect(html, p).toMatch(new RegExp(`name="${p}"`));
      else expect(html, p).not.toMatch(new RegExp(`name="${p}"`));
    }
    expect(ITEM_FILTER_INPUTS.unrated).toBeNull();
  });

  it('filters as the API does, keeps the filters on links, and refuses a conflicting window', async () => {
    const day = await (await get('/dashboard/review?date=2026-03-10&hasAnalysis=1&category=')).text();
    expect(itemIdsOn(day)).toEqual([ids['e-new'], ids['e-mid'], ids['e-hostile']]);
    expect(day).toContain(`/dashboard/review/items/${ids['e-new']}?date=2026-03-10&amp;hasAnalysis=1`);
    expect(day).toMatch(/<option value="1" selected="">yes<\/option>/);
    expect(itemIdsOn(await (await get('/dashboard/review?category=timeout_error')).text())).toEqual([ids['e-mid']]);
    expect(itemIdsOn(await (await get('/dashboard/review?hasAnalysis=0')).text())).toEqual([ids['e-waiting']]);
    const conflict = await get('/dashboard/review?date=2026-03-10&days=2');
    expect(conflict.status).toBe(400);
    expect(await conflict.text()).toContain('date cannot be combined with days');
    expect((await get('/dashboard/review?dag=x')).status).toBe(400);
  });
});

describe('the page per item', () => {
  it('shows the error context and every analysis field, editable, with the known values and the keys', async () => {
    const res = await get(`/dashboard/review/items/${ids['e-new']}?date=2026-03-10`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('KeyError: region in e-new');
    expect(html).toContain('The export dropped a column.');
    for (const f of ANALYSIS_FIELDS) expect(html, f.name).toContain(`name="${f.name}"`);
    for (const c of ERROR_CATEGORIES) expect(html).toContain(`<option value="${c}"`);
    for (const s of SEVERITIES) expect(html).toContain(`<option value="${s}"`);
    expect(html).toMatch(/<option value="data_quality" selected="">/);
    expect(html).toMatch(/name="confidence"[^>]*value="0.8"/);
    for (let s = 1; s <= 5; s++) expect(html).toContain(`data-gt="star-${s}"`);
    expect(html).toContain('data-gt="review-keys"');
    expect(html).toContain('Ctrl+Enter');
    // Next in the filtered queue, newest first; none before the newest.
    expect(html).toContain(`href="/dashboard/review/items/${ids['e-mid']}?date=2026-03-10" data-gt="review-next"`);
    expect(html).not.toContain('data-gt="review-prev"');
    expect((await get('/dashboard/review/items/no-such-id')).status).toBe(404);
  });

  it('escapes hostile text from the pipeline everywhere on the page', async () => {
    const html = await (await get(`/dashboard/review/items/${ids['e-hostile']}`)).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
  });

  it('saving sends the rating, the comment and the whole corrected analysis, then opens the next item of the queue', async () => {
    const missing = await t.app.request(`/dashboard/review/items/${ids['e-new']}?date=2026-03-10`, form({ _csrf: csrf, category: 'code_error' }));
    expect(missing.status).toBe(303);
    expect(missing.headers.get('Location')).toBe(`/dashboard/review/items/${ids['e-new']}?date=2026-03-10&error=rating`);
    const noCsrf = await t.app.request(`/dashboard/review/items/${ids['e-new']}`, form({ stars: '2' }));
    expect(noCsrf.status).toBe(403);

    const res = await t.app.request(
      `/dashboard/review/items/${ids['e-new']}?date=2026-03-10`,
      form({
        _csrf: csrf,
        stars: '2',
        comment: 'upstream changed the schema',
        extractedError: 'KeyError: region',
        category: 'configuration_error',
        severity: 'high',
        confidence: '0.95',
        reasoning: 'The source config renamed the column.',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/dashboard/review/items/${ids['e-mid']}?date=2026-03-10&saved=1`);
    const feedback = (await (await t.call(analyst, 'GET', '/v1/feedback?limit=50')).json()).items as any[];
    const saved = feedback.find((f) => f.target.key === 'item:e-new');
    expect(saved).toMatchObject({
      target: { kind: 'error_analysis', key: 'item:e-new', model: 'dagnostics-7b', subject: 'daily_sales' },
      rating: { stars: 2 },
      comment: 'upstream changed the schema',
      correction: {
        fields: { extractedError: 'KeyError: region', category: 'configuration_error', severity: 'high', confidence: 0.95, reasoning: 'The source config renamed the column.' },
      },
    });
    expect(saved.correction.output).toBeUndefined();
    expect(saved.target.context.prediction).toMatchObject({ category: 'data_quality', confidence: 0.8 });
    const queue = (await (await t.call(analyst, 'GET', '/v1/items?unrated=1')).json()).items as { key: string }[];
    expect(queue.map((i) => i.key)).not.toContain('e-new');
  });

  it('a rating that changes no field saves no correction; the last item of the filtered queue goes back to the queue', async () => {
    const page = await (await get(`/dashboard/review/items/${ids['e-other-day']}?date=2026-03-09`)).text();
    expect(page).toMatch(/<option value="network_error" selected="">/);
    const res = await t.app.request(`/dashboard/review/items/${ids['e-other-day']}?date=2026-03-09`, form({ _csrf: csrf, stars: '5', category: 'network_error', severity: '', confidence: '', reasoning: '', extractedError: '' }));
    expect(res.headers.get('Location')).toBe('/dashboard/review?date=2026-03-09&saved=done');
    const feedback = (await (await t.call(analyst, 'GET', '/v1/feedback?limit=50')).json()).items as any[];
    const saved = feedback.find((f) => f.target.key === 'item:e-other-day');
    expect(saved.rating).toEqual({ stars: 5 });
    expect(saved.correction).toBeFalsy();
    const bad = await t.app.request(`/dashboard/review/items/${ids['e-mid']}`, form({ _csrf: csrf, stars: '3', confidence: '7' }));
    expect(bad.status).toBe(422);
  });
});
