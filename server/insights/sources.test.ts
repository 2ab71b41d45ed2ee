/**
 * Figures count people unless asked (DESIGN, "Where a rating comes from"; issue 16): a judge's
 * ratings (source.type model, posted with an admin token) are left out of stats, accuracy,
 * agreement, the subject summary and the training exports by default, and counted with
 * sourceType=model or judge=…; the feedback list and the record exports show every source; a
 * judge's thumbs-down raises no webhook delivery. Runs on SQLite and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { RUN_HEADER } from '../exports/download.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let admin: string;
let analyst: string;
const JUDGE = { type: 'model', name: 'gpt-judge' } as const;
const createdAt = new Date().toISOString();

async function post(token: string, body: Record<string, unknown>) {
  const res = await t.call(token, 'POST', '/v1/feedback', makeFeedback({ createdAt, updatedAt: createdAt, ...body }));
  expect(res.status, await res.clone().text()).toBe(201);
}
const get = async (path: string) => {
  const res = await t.call(analyst, 'GET', path);
  expect(res.status, path).toBe(200);
  return res;
};
const body = async (path: string) => (await get(path)).json();

/** People: two raters agree up on a1 and a2 (4 ups). The judge: down on both, and down on j1 alone. */
beforeAll(async () => {
  t = await createTestApp({ webhookAddresses: { allowPrivate: true, allowedHosts: [] } });
  admin = (await t.token('admin')).token;
  analyst = (await t.token('analyst')).token;
  const h1 = (await t.token('rater', { raterId: 'h1' })).token;
  const h2 = (await t.token('rater', { raterId: 'h2' })).token;
  const target = (key: string) => ({ kind: 'chat_response', key, model: 'gpt-5', subject: 'task-1', prompt: `q ${key}`, output: `a ${key}` });
  expect((await t.call(admin, 'POST', '/v1/webhooks', { url: 'https://hooks.example.com/gt', events: ['feedback.negative', 'feedback.low_stars'] })).status).toBe(201);
  for (const key of ['a1', 'a2']) {
    await post(h1, { target: target(key), rating: { thumb: 'up', stars: 5 } });
    await post(h2, { target: target(key), rating: { thumb: 'up', stars: 5 } });
    await post(admin, { target: target(key), rating: { thumb: 'down', stars: 1 }, source: JUDGE });
  }
  await post(admin, { target: target('j1'), rating: { thumb: 'down', stars: 1 }, source: JUDGE });
});

const ups = (groups: { up: number; down: number; ratings: number }[]) => groups.reduce((s, g) => ({ up: s.up + g.up, down: s.down + g.down, ratings: s.ratings + g.ratings }), { up: 0, down: 0, ratings: 0 });

describe('figures count people unless asked', () => {
  it('accuracy: people by default (read from the rollups), the judge with sourceType=model or judge=', async () => {
    expect(ups((await body('/v1/insights/accuracy')).groups)).toEqual({ up: 4, down: 0, ratings: 4 });
    expect(ups((await body('/v1/insights/accuracy?sourceType=human')).groups)).toEqual({ up: 4, down: 0, ratings: 4 });
    expect(ups((await body('/v1/insights/accuracy?sourceType=model')).groups)).toEqual({ up: 0, down: 3, ratings: 3 });
    expect(ups((await body('/v1/insights/accuracy?judge=gpt-judge')).groups)).toEqual({ up: 0, down: 3, ratings: 3 });
    // A channel alone still counts people (counted from the rows).
    expect(ups((await body('/v1/insights/accuracy?channel=api')).groups)).toEqual({ up: 4, down: 0, ratings: 4 });
  });

  it('stats: people by default, the judge when asked', async () => {
    const people = await body('/v1/insights/stats?days=7');
    expect(people.current).toMatchObject({ ratings: 4, up: 4, down: 0, raters: 2 });
    const judged = await body('/v1/insights/stats?days=7&sourceType=model');
    expect(judged.current).toMatchObject({ ratings: 3, up: 0, down: 3, raters: 1 });
  });

  it('agreement: the people agree (the judge would make both targets disputed)', async () => {
    const people = await body('/v1/insights/agreement');
    expect(people.overall.targets).toBe(2);
    expect(people.overall.thumbs.percentAgreement).toBe(1);
    expect(people.disputed).toEqual([]);
    // The judge alone: one judge rating per target, so no target is shared.
    const judgedOnly = await body('/v1/insights/agreement?sourceType=model');
    expect(judgedOnly.overall.targets).toBe(0);
  });

  it('the subject summary: people by default, the judge when asked', async () => {
    expect(await body('/v1/insights/summary?subject=task-1')).toMatchObject({ total: 4, averageRating: 5 });
    expect(await body('/v1/insights/summary?subject=task-1&judge=gpt-judge')).toMatchObject({ total: 3, averageRating: 1 });
  });

  it('the feedback list and record exports hold every source; training exports people unless asked, and their run says so', async () => {
    expect((await body('/v1/feedback?limit=100')).items).toHaveLength(7);
    expect((await (await get('/v1/exports/jsonl?all=true')).text()).split('\n').filter(Boolean)).toHaveLength(7);
    const people = await get('/v1/exports/openai-sft?all=true');
    await people.text();
    const run = await body(`/v1/exports/runs/${people.headers.get(RUN_HEADER)}`);
    expect(run.filters).toMatchObject({ sourceType: 'human', criterion: 'overall' });
    expect(run.counts.read).toBe(4);
    const judged = await get('/v1/exports/openai-sft?all=true&judge=gpt-judge');
    await judged.text();
    const judgedRun = await body(`/v1/exports/runs/${judged.headers.get(RUN_HEADER)}`);
    expect(judgedRun.filters.sourceType).toBeUndefined();
    expect(judgedRun.filters.judge).toBe('gpt-judge');
    expect(judgedRun.counts.read).toBe(3);
  });

  it('a judge\'s thumbs-down raises no webhook delivery; a person\'s does', async () => {
    const count = async () => Number((await t.store.db.selectFrom('webhook_deliveries' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow() as { n: number | string }).n);
    expect(await count()).toBe(0);
    const h3 = (await t.token('rater', { raterId: 'h3' })).token;
    await post(h3, { target: { kind: 'chat_response', key: 'p1', prompt: 'q', output: 'a' }, rating: { thumb: 'down' } });
    expect(await count()).toBe(1);
  });
});
