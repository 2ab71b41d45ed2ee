/**
 * A judge against people (issue 16, item 4) through the real routes: judge ratings posted with an
 * admin token and source {type: model, name}, people's with rater tokens, then
 * GET /v1/insights/calibration against a confusion matrix computed by hand, the tie and the
 * judge-only target left out, another judge and another criterion kept apart, paging, the few-shot
 * export's lines, and the refusals. Runs on SQLite and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let admin: string;
let analyst: string;
let raters: Record<string, string>;

const target = (key: string, extra: Record<string, unknown> = {}) => ({ kind: 'chat_response', key, site: 'chatgpt', model: 'gpt-5', prompt: `prompt of ${key}`, output: `output of ${key}`, ...extra });

async function post(token: string, body: Record<string, unknown>) {
  const res = await t.call(token, 'POST', '/v1/feedback', makeFeedback(body));
  expect(res.status, await res.clone().text()).toBe(201);
}
const judge = (key: string, rating: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  post(admin, { target: target(key), rating, source: { type: 'model', name: 'gpt-judge' }, ...extra });
const person = (rater: string, key: string, rating: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  post(raters[rater]!, { target: target(key), rating, ...extra });

/**
 * The thumbs table (criterion overall). People's majority → judge:
 *   t01 up(2) → up   t02 up → up       t03 up(2 of 3) → down   t04 down → down   t05 down(2) → up
 *   t06 down → down  t07 up → up       t08 up → up             t09 down → down   t10 up → down
 *   t11 tie (up, down) → up: left out   t12 no people → up: left out
 * Matrix (rows people, columns judge; down, up): [[3, 1], [2, 4]], n = 10.
 * p_o = 7/10; marginals: people down 4, up 6; judge down 5, up 5; p_e = .4·.5 + .6·.5 = .5;
 * kappa = (.7 − .5) / (1 − .5) = .4.
 */
beforeAll(async () => {
  t = await createTestApp();
  admin = (await t.token('admin')).token;
  analyst = (await t.token('analyst')).token;
  raters = {};
  for (const r of ['h1', 'h2', 'h3']) raters[r] = (await t.token('rater', { raterId: r })).token;
  const table: [string, [string, string][], 'up' | 'down'][] = [
    ['t01', [['h1', 'up'], ['h2', 'up']], 'up'],
    ['t02', [['h1', 'up']], 'up'],
    ['t03', [['h1', 'up'], ['h2', 'up'], ['h3', 'down']], 'down'],
    ['t04', [['h1', 'down']], 'down'],
    ['t05', [['h1', 'down'], ['h2', 'down']], 'up'],
    ['t06', [['h2', 'down']], 'down'],
    ['t07', [['h3', 'up']], 'up'],
    ['t08', [['h1', 'up']], 'up'],
    ['t09', [['h2', 'down']], 'down'],
    ['t10', [['h3', 'up']], 'down'],
    ['t11', [['h1', 'up'], ['h2', 'down']], 'up'],
    ['t12', [], 'up'],
  ];
  for (const [key, votes, verdict] of table) {
    for (const [rater, thumb] of votes) await person(rater, key, { thumb }, key === 't05' && rater === 'h1' ? { comment: 'plainly wrong' } : {});
    await judge(key, { thumb: verdict }, key === 't10' ? { comment: 'looks fine to me' } : {});
  }
  // Another judge on the same targets through the same token: its own live votes, not gpt-judge's.
  for (const key of ['t01', 't02', 't04']) await post(admin, { target: target(key), rating: { thumb: 'down' }, source: { type: 'model', name: 'other-judge' } });
  // Another criterion: people and the judge on stars (s1..s4), kept apart from overall.
  const stars: [string, number[], number][] = [
    ['s1', [5, 5], 5],
    ['s2', [4], 2],
    ['s3', [1], 2],
    ['s4', [3, 3, 1], 3],
  ];
  for (const [key, votes, verdict] of stars) {
    for (const [i, s] of votes.entries()) await person(`h${i + 1}`, key, { stars: s }, { criterion: 'correctness' });
    await judge(key, { stars: verdict }, { criterion: 'correctness' });
  }
});

describe('GET /v1/insights/calibration', () => {
  it('gives the hand-computed confusion matrix, kappa and agreement on thumbs, and the disagreements', async () => {
    const res = await t.call(analyst, 'GET', '/v1/insights/calibration?judge=gpt-judge');
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r).toMatchObject({ judge: 'gpt-judge', criterion: 'overall', scale: 'thumb', judged: 12, tied: 1, n: 10, categories: ['down', 'up'], matrix: [[3, 1], [2, 4]], note: null });
    expect(r.percentAgreement).toBeCloseTo(0.7, 12);
    expect(r.kappa).toBeCloseTo(0.4, 12);
    expect(r.disagreements.total).toBe(3);
    expect(r.disagreements.items.map((d: { targetKey: string }) => d.targetKey)).toEqual(['t03', 't05', 't10']);
    expect(r.disagreements.items[0]).toEqual({
      targetKey: 't03',
      model: 'gpt-5',
      prompt: 'prompt of t03',
      output: 'output of t03',
      human: 'up',
      humanVotes: { up: 2, down: 1 },
      judge: 'down',
      judgeComment: null,
      humanComments: [],
    });
    expect(r.disagreements.items[1]).toMatchObject({ targetKey: 't05', human: 'down', judge: 'up', humanComments: ['plainly wrong'] });
    expect(r.disagreements.items[2]).toMatchObject({ targetKey: 't10', judgeComment: 'looks fine to me' });
  });

  it('pages the disagreements with limit and offset, and keeps the total', async () => {
    const r = await (await t.call(analyst, 'GET', '/v1/insights/calibration?judge=gpt-judge&limit=2&offset=1')).json();
    expect(r.disagreements).toMatchObject({ total: 3, offset: 1, limit: 2 });
    expect(r.disagreements.items.map((d: { targetKey: string }) => d.targetKey)).toEqual(['t05', 't10']);
  });

  it('keeps another judge (same token) and another criterion apart', async () => {
    const other = await (await t.call(analyst, 'GET', '/v1/insights/calibration?judge=other-judge')).json();
    // t01 up→down, t02 up→down, t04 down→down.
    expect(other).toMatchObject({ judged: 3, n: 3, matrix: [[1, 0], [2, 0]], disagreements: { total: 2 } });
    expect(other.note).toMatch(/too few/);
    // The people's live votes were not superseded by the judges' ratings: two judges are two live votes.
    const listed = await (await t.call(analyst, 'GET', '/v1/feedback?sourceType=model&limit=100')).json();
    expect(listed.items.filter((i: { target: { key: string } }) => i.target.key === 't01')).toHaveLength(2);
  });

  it('on stars (the scale most of the judge\'s ratings carry): the matrix, kappa 3/7, the widest gap first, a note for too few', async () => {
    const r = await (await t.call(analyst, 'GET', '/v1/insights/calibration?judge=gpt-judge&criterion=correctness')).json();
    expect(r).toMatchObject({ criterion: 'correctness', scale: 'stars', judged: 4, tied: 0, n: 4, categories: ['1', '2', '3', '4', '5'] });
    expect(r.matrix).toEqual([
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
    // p_o = 2/4; p_e = (1·1 + 1·1) / 16 = .125 (human 3 × judge 3, human 5 × judge 5); kappa = .375 / .875 = 3/7.
    expect(r.percentAgreement).toBeCloseTo(0.5, 12);
    expect(r.kappa).toBeCloseTo(3 / 7, 12);
    expect(r.disagreements.items.map((d: { targetKey: string }) => d.targetKey)).toEqual(['s2', 's3']);
    expect(r.note).toBe('Only 4 targets rated by both (fewer than 10): too few to trust kappa.');
    // Asked on thumbs instead, nothing of this criterion carries one.
    const thumbs = await (await t.call(analyst, 'GET', '/v1/insights/calibration?judge=gpt-judge&criterion=correctness&scale=thumb')).json();
    expect(thumbs).toMatchObject({ judged: 0, n: 0, kappa: null, percentAgreement: null });
    expect(thumbs.note).toMatch(/no rating/);
  });

  it('narrows by the shared filters (model): another model has no target both rated', async () => {
    const r = await (await t.call(analyst, 'GET', '/v1/insights/calibration?judge=gpt-judge&model=claude')).json();
    expect(r).toMatchObject({ judged: 0, n: 0 });
  });

  it('refuses a missing judge (422), an unknown parameter (400), a rater (403)', async () => {
    const missing = await t.call(analyst, 'GET', '/v1/insights/calibration');
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await missing.json())).toContain('judge');
    const unknown = await t.call(analyst, 'GET', '/v1/insights/calibration?judge=gpt-judge&sourceType=model');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['sourceType'] } });
    expect((await t.call(raters.h1!, 'GET', '/v1/insights/calibration?judge=gpt-judge')).status).toBe(403);
  });
});

describe('GET /v1/insights/calibration/examples', () => {
  it('writes every disagreement as one JSON line of few-shot example', async () => {
    const res = await t.call(analyst, 'GET', '/v1/insights/calibration/examples?judge=gpt-judge');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('application/x-ndjson');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="calibration-gpt-judge.jsonl"');
    const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { input: { prompt: 'prompt of t03', output: 'output of t03' }, human: 'up', judge: 'down', criterion: 'overall' },
      { input: { prompt: 'prompt of t05', output: 'output of t05' }, human: 'down', judge: 'up', criterion: 'overall', humanComments: ['plainly wrong'] },
      { input: { prompt: 'prompt of t10', output: 'output of t10' }, human: 'up', judge: 'down', criterion: 'overall' },
    ]);
  });

  it('keeps a line one line: U+2028, U+2029 and U+0085 in the text are escaped', async () => {
    const key = 'sep-1';
    const odd = 'one\u2028two\u2029three\u0085four\nfive';
    await post(raters.h1!, { target: target(key, { output: odd }), rating: { thumb: 'up' }, criterion: 'lines' });
    await post(admin, { target: target(key, { output: odd }), rating: { thumb: 'down' }, criterion: 'lines', source: { type: 'model', name: 'gpt-judge' } });
    const text = await (await t.call(analyst, 'GET', '/v1/insights/calibration/examples?judge=gpt-judge&criterion=lines')).text();
    expect(text).not.toMatch(/[\u2028\u2029\u0085]/);
    const lines = text.split(/\r\n|[\n\r\u2028\u2029\u0085]/).filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).input.output).toBe(odd);
  });
});
