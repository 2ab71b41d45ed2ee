/**
 * The filters of every list on the API (shared/filters.ts, ADR 0029): the feedback list, exports and
 * insights take the same parameters, refuse an unknown one with 400 `unknown_parameter` naming it and
 * listing what the route accepts (derived from the schema), and refuse conflicting ones with 422.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILTER_PARAMS } from '../../shared/filters.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';

let t: Awaited<ReturnType<typeof createTestApp>>;
let analyst: string;
let ids: string[];
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  t = await createTestApp();
  analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
  ids = await seedRatings(t.store, 'default', [
    { rater: 'ann', model: 'gpt-5', thumb: 'up', label: 'ok', prompt: 'p1', output: 'o1', day: today },
    { rater: 'ann', model: 'gpt-5', thumb: 'down', correction: 'better', prompt: 'p2', output: 'o2', day: today },
    { rater: 'bob', model: 'claude-4', stars: 2, label: 'bug', prompt: 'p3', output: 'o3', day: today },
  ]);
});

/** Each route family, with the parameters it takes besides the filters. */
const ROUTES: { path: string; extra: string[]; except?: string[] }[] = [
  { path: '/v1/feedback', extra: ['includeDeleted', 'limit', 'cursor', 'offset'] },
  { path: '/v1/exports/jsonl', extra: ['days', 'all', 'split', 'side', 'weightUp', 'weightDown', 'gold'] },
  { path: '/v1/insights/accuracy', extra: ['groupBy'] },
  { path: '/v1/insights/stats', extra: ['days'], except: ['since', 'until'] },
  { path: '/v1/insights/agreement', extra: ['limit'] },
];

describe('filter parameters on the API', () => {
  it.each(ROUTES)('$path: an unknown parameter is 400 unknown_parameter, naming it and what the route accepts', async ({ path, extra, except = [] }) => {
    const res = await t.call(analyst, 'GET', `${path}?model=gpt-5&conversationID=c1`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { unknown: string[]; accepted: string[] } } };
    expect(body.error.code).toBe('unknown_parameter');
    expect(body.error.message).toContain('conversationID');
    expect(body.error.details.unknown).toEqual(['conversationID']);
    const filters = FILTER_PARAMS.filter((p) => !except.includes(p));
    expect([...body.error.details.accepted].sort()).toEqual([...filters, ...extra].sort());
  });

  it.each(ROUTES)('$path: every filter of the schema is accepted', async ({ path, except = [] }) => {
    const values: Record<string, string> = {
      since: '2020-01-01', until: '2100-01-01', rater: 'ann', kind: 'chat_response', site: 's', model: 'gpt-5', intent: 'i', project: 'p',
      subject: 's', conversationId: 'c', thumb: 'up', minStars: '1', maxStars: '5', label: 'ok', criterion: 'overall', hasCorrection: 'false',
      sourceType: 'human', channel: 'api', judge: 'j', queue: 'q',
    };
    for (const p of FILTER_PARAMS) {
      if (except.includes(p)) continue;
      const res = await t.call(analyst, 'GET', `${path}?${p}=${encodeURIComponent(values[p] ?? 'x')}`);
      expect(res.status, `${path}?${p}`).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('the new filters narrow the list: label, hasCorrection, rater', async () => {
    const list = async (q: string) => ((await (await t.call(analyst, 'GET', `/v1/feedback?${q}`)).json()) as { items: { id: string }[] }).items.map((i) => i.id).sort();
    expect(await list('hasCorrection=true')).toEqual([ids[1]]);
    expect(await list('hasCorrection=false')).toEqual([ids[0], ids[2]].sort());
    expect(await list('label=bug')).toEqual([ids[2]]);
    expect(await list('rater=ann&thumb=down')).toEqual([ids[1]]);
    expect(await list('model=')).toHaveLength(3); // an empty value is absent
  });

  it('conflicting parameters are 422, not resolved silently', async () => {
    for (const q of [`since=${today}&days=3`, `all=true&since=${today}`, 'all=1&days=3', 'until=2030-01-01&days=3', 'minStars=4&maxStars=2']) {
      const res = await t.call(analyst, 'GET', `/v1/exports/jsonl?${q}`);
      expect(res.status, q).toBe(422);
      expect((await res.json()).error.code).toBe('validation_failed');
    }
    expect((await t.call(analyst, 'GET', '/v1/feedback?minStars=5&maxStars=1')).status).toBe(422);
    expect((await t.call(analyst, 'GET', '/v1/insights/accuracy?since=2026-02-01&until=2026-01-01')).status).toBe(422);
    expect((await t.call(analyst, 'GET', '/v1/feedback?kind=poem')).status).toBe(422);
  });

  it('an export run records the resolved filters', async () => {
    const res = await t.call(analyst, 'GET', `/v1/exports/jsonl?hasCorrection=true&since=${today}`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim().split('\n')).toHaveLength(1);
    const runId = res.headers.get('x-groundtruth-export-run')!;
    const run = await (await t.call(analyst, 'GET', `/v1/exports/runs/${runId}`)).json();
    expect(run.filters).toEqual({ since: `${today}T00:00:00.000Z`, until: null, hasCorrection: true });
    const runs = await t.call(analyst, 'GET', '/v1/exports/runs?limit=5&format=jsonl');
    expect(runs.status).toBe(400);
    expect((await runs.json()).error.details).toEqual({ unknown: ['format'], accepted: ['limit'] });
  });

  it('insights count the same records with a filter the rollups are not kept by', async () => {
    const acc = await (await t.call(analyst, 'GET', '/v1/insights/accuracy?hasCorrection=false&groupBy=model')).json();
    expect(acc.groups.map((g: { key: { model: string }; ratings: number }) => [g.key.model, g.ratings]).sort()).toEqual([
      ['claude-4', 1],
      ['gpt-5', 1],
    ]);
    const stats = await (await t.call(analyst, 'GET', '/v1/insights/stats?rater=ann')).json();
    expect(stats.current.ratings).toBe(2);
  });
});
