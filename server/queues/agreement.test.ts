/**
 * Agreement and adjudication of a review queue through the API (GET /v1/queues/:id/agreement,
 * POST/GET /v1/queues/:id/adjudications) against hand-computed values, including Krippendorff's own
 * reliability data ("Computing Krippendorff's Alpha-Reliability", 2011: nominal α = 0.743,
 * ordinal 0.815), and the gold export the adjudications make.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, tempDir } from '../../test/helpers/app.ts';
import { seedQueue, seedReviews, type ReviewSpec } from '../../test/helpers/queue-seed.ts';
import { exportToFiles } from '../exports/files.ts';
import { resetClock, setClock } from '../lib/clock.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
afterEach(async () => {
  resetClock();
  for (const t of apps.splice(0)) await t.store.close();
});

/** Krippendorff (2011), section C: observers A–D over units 1–12, values 1–5, null = missing. */
const KRIPPENDORFF: Record<string, (number | null)[]> = {
  A: [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  B: [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  C: [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  D: [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
};

/** Two raters over 10 items, by hand: (up,up) 4, (up,down) 1, (down,up) 2, (down,down) 3. */
const TWO_RATERS: ['up' | 'down', 'up' | 'down'][] = [
  ...Array.from({ length: 4 }, () => ['up', 'up'] as ['up', 'up']),
  ['up', 'down'],
  ['down', 'up'],
  ['down', 'up'],
  ...Array.from({ length: 3 }, () => ['down', 'down'] as ['down', 'down']),
];

async function setup() {
  const t = await createTestApp();
  apps.push(t);
  const analyst = (await t.token('analyst', { workspaceId: 'default', raterId: 'ana' })).token;
  const rater = (await t.token('rater', { workspaceId: 'default' })).token;
  const outsider = (await t.token('analyst', { workspaceId: 'elsewhere' })).token;
  const admin = (await t.token('admin', { workspaceId: 'default' })).token;

  // Queue 1: Krippendorff's data twice, as labels (nominal) and as stars (ordinal).
  const units = Array.from({ length: 12 }, (_, i) => `unit-${i + 1}`);
  const kripp = await seedQueue(t.store, 'default', { id: 'q-kripp', criteria: ['labelled', 'starred'], keys: units });
  const kReviews: ReviewSpec[] = [];
  for (const [observer, values] of Object.entries(KRIPPENDORFF)) {
    values.forEach((v, i) => {
      if (v === null) return;
      kReviews.push({ rater: observer, key: units[i]!, criterion: 'labelled', label: `v${v}` });
      kReviews.push({ rater: observer, key: units[i]!, criterion: 'starred', stars: v });
    });
  }
  await seedReviews(t.store, 'default', kripp, kReviews);

  // Queue 2: `overall` is the two-rater table; `helpful` orders disputed items.
  const items = [...Array.from({ length: 10 }, (_, i) => `item-${i}`), 'a', 'b', 'c', 'd'];
  const team = await seedQueue(t.store, 'default', { id: 'q-team', criteria: ['overall', 'helpful'], keys: items });
  const reviews: ReviewSpec[] = TWO_RATERS.flatMap(([x, y], i) => [
    { rater: 'r1', key: `item-${i}`, thumb: x },
    { rater: 'r2', key: `item-${i}`, thumb: y },
  ]);
  const helpful = (key: string, thumbs: ('up' | 'down')[]) =>
    thumbs.map((thumb, i) => ({ rater: `r${i + 1}`, key, criterion: 'helpful', thumb }));
  // A judge's ratings in the queue are not reviews: the figures below count people only.
  reviews.push({ rater: 'r1', key: 'item-0', thumb: 'down', judge: 'gpt-judge' }, { rater: 'r2', key: 'a', criterion: 'helpful', thumb: 'up', judge: 'gpt-judge' });
  reviews.push(...helpful('b', ['up', 'down', 'down']), ...helpful('a', ['up', 'down']), ...helpful('c', ['up', 'down', 'up', 'down']), ...helpful('d', ['up', 'up']));
  await seedReviews(t.store, 'default', team, reviews);
  return { t, analyst, rater, outsider, admin, kripp, team };
}

describe('GET /v1/queues/:id/agreement', () => {
  it("reproduces Krippendorff's example: nominal α 0.743 on labels, ordinal α 0.815 on stars", async () => {
    const { t, analyst, kripp } = await setup();
    const res = await t.call(analyst, 'GET', `/v1/queues/${kripp}/agreement`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ queueId: kripp, items: 12, thresholds: { minItems: 10, minReviewsPerItem: 2 } });
    const [labelled, starred] = body.criteria;
    expect(labelled).toMatchObject({ criterion: 'labelled', rating: 'label', reviews: 41, itemsReviewed: 12, raters: 4 });
    expect(labelled.alpha).toMatchObject({ metric: 'nominal', items: 11, values: 40 });
    expect(labelled.alpha.value).toBeCloseTo(0.743, 3);
    expect(labelled.alpha.note).toBeUndefined();
    expect(starred).toMatchObject({ criterion: 'starred', rating: 'stars', alpha: { metric: 'ordinal', items: 11, values: 40 } });
    expect(starred.alpha.value).toBeCloseTo(0.815, 3);
    // Percent agreement by hand: pairs within units 1–11 = 3+6+6+6+6+6+6+6+6+3+1 = 55; disagreeing: unit 2: 3, unit 6: 6, unit 8: 3 → 43/55.
    expect(labelled.percentAgreement).toMatchObject({ items: 11, pairs: 55 });
    expect(labelled.percentAgreement.value).toBeCloseTo(43 / 55, 12);
    // Six pairs of observers; A and B share units 1–9 (9 items: a note), B and D units 1–10.
    expect(labelled.pairs).toHaveLength(6);
    const ab = labelled.pairs.find((p: { raters: string[] }) => p.raters.join() === 'A,B');
    expect(ab).toMatchObject({ items: 9, note: expect.stringContaining('fewer than 10') });
    expect(labelled.pairs.find((p: { raters: string[] }) => p.raters.join() === 'B,D')).toMatchObject({ items: 10, percentAgreement: 0.9 });
    // Disputed: unit 6 (1,2,3,4: every pair disagrees) first, then unit 2 and unit 8 (3 of 6 pairs).
    expect(labelled.disputed.map((d: { targetKey: string; disagreement: number }) => [d.targetKey, d.disagreement])).toEqual([
      ['unit-6', 1],
      ['unit-2', 0.5],
      ['unit-8', 0.5],
    ]);
    expect(labelled.disputed[0].reviews).toEqual([
      { raterId: 'A', feedbackId: expect.any(String), rating: { label: 'v1' } },
      { raterId: 'B', feedbackId: expect.any(String), rating: { label: 'v2' } },
      { raterId: 'C', feedbackId: expect.any(String), rating: { label: 'v3' } },
      { raterId: 'D', feedbackId: expect.any(String), rating: { label: 'v4' } },
    ]);
  });

  it("gives Cohen's κ, percent agreement and α for a two-rater table by hand, and orders disputed items", async () => {
    const { t, analyst, team } = await setup();
    const body = await (await t.call(analyst, 'GET', `/v1/queues/${team}/agreement?criterion=overall`)).json();
    expect(body.criteria).toHaveLength(1);
    const overall = body.criteria[0];
    // p_o = 7/10; r1 says up 5/10, r2 6/10: p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
    expect(overall.pairs).toEqual([{ raters: ['r1', 'r2'], items: 10, kappa: expect.closeTo(0.4, 12), percentAgreement: expect.closeTo(0.7, 12) }]);
    // Coincidences: o_uu = 8, o_dd = 6, o_ud = o_du = 3; n_u = 11, n_d = 9, n = 20: α = 1 − 19·6 / (2·11·9) = 84/198.
    expect(overall.alpha).toEqual({ value: expect.closeTo(84 / 198, 12), metric: 'nominal', items: 10, values: 20 });
    expect(overall.percentAgreement).toEqual({ value: expect.closeTo(0.7, 12), items: 10, pairs: 10 });
    expect(overall.rating).toBe('thumb');
    expect(overall.disputedTotal).toBe(3);
    expect(overall.disputed.map((d: { targetKey: string }) => d.targetKey)).toEqual(['item-4', 'item-5', 'item-6']);

    const helpful = (await (await t.call(analyst, 'GET', `/v1/queues/${team}/agreement?criterion=helpful&disputedLimit=2`)).json()).criteria[0];
    // a: 1 of 1 pairs disagree; c: 4 of 6 with 4 reviews; b: 2 of 3 with 3 reviews; d agrees.
    expect(helpful.disputedTotal).toBe(3);
    expect(helpful.disputed.map((d: { targetKey: string; disagreement: number }) => [d.targetKey, d.disagreement])).toEqual([
      ['a', 1],
      ['c', 4 / 6],
    ]);
    expect(helpful.alpha).toMatchObject({ items: 4, note: expect.stringContaining('fewer than 10') });
    expect(helpful.percentAgreement.note).toMatch(/fewer than 10/);
  });

  it('is for analysts of the workspace: a rater is 403, another workspace 404, unknown parameters 400, a foreign criterion 422', async () => {
    const { t, analyst, rater, outsider, team } = await setup();
    expect((await t.call(rater, 'GET', `/v1/queues/${team}/agreement`)).status).toBe(403);
    expect((await t.call(outsider, 'GET', `/v1/queues/${team}/agreement`)).status).toBe(404);
    expect((await t.call(analyst, 'GET', '/v1/queues/nope/agreement')).status).toBe(404);
    const unknown = await t.call(analyst, 'GET', `/v1/queues/${team}/agreement?criteria=overall`);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['criteria'] } });
    const foreign = await t.call(analyst, 'GET', `/v1/queues/${team}/agreement?criterion=labelled`);
    expect(foreign.status).toBe(422);
    expect((await foreign.json()).error.code).toBe('unknown_criterion');
  });
});

describe('adjudications', () => {
  it('stores one per item and criterion, replaces and says so, shows in the disputed list, and is audited', async () => {
    const { t, analyst, admin, team } = await setup();
    setClock(new Date('2026-03-01T10:00:00.000Z'));
    const first = await t.call(analyst, 'POST', `/v1/queues/${team}/adjudications`, { targetKey: 'a', criterion: 'helpful', rating: { thumb: 'up' }, reason: 'answers the question' });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({
      adjudication: { queueId: team, targetKey: 'a', criterion: 'helpful', rating: { thumb: 'up' }, reason: 'answers the question', by: 'ana', at: '2026-03-01T10:00:00.000Z' },
      replaced: null,
    });
    setClock(new Date('2026-03-01T11:00:00.000Z'));
    const second = await t.call(analyst, 'POST', `/v1/queues/${team}/adjudications`, { targetKey: 'a', criterion: 'helpful', rating: { thumb: 'down' }, reason: 'on reflection, wrong' });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ adjudication: { rating: { thumb: 'down' }, at: '2026-03-01T11:00:00.000Z' }, replaced: { rating: { thumb: 'up' }, reason: 'answers the question' } });
    await t.call(analyst, 'POST', `/v1/queues/${team}/adjudications`, { targetKey: 'item-4', criterion: 'overall', rating: { thumb: 'up' }, reason: 'fine' });

    const list = await (await t.call(analyst, 'GET', `/v1/queues/${team}/adjudications`)).json();
    expect(list.items.map((a: { targetKey: string; criterion: string }) => `${a.targetKey}/${a.criterion}`)).toEqual(['item-4/overall', 'a/helpful']);
    const helpful = (await (await t.call(analyst, 'GET', `/v1/queues/${team}/agreement?criterion=helpful`)).json()).criteria[0];
    expect(helpful.adjudicated).toBe(1);
    expect(helpful.disputed[0]).toMatchObject({ targetKey: 'a', adjudication: { rating: { thumb: 'down' }, reason: 'on reflection, wrong', by: 'ana' } });
    expect(helpful.disputed[1].adjudication).toBeNull();

    const audit = await (await t.call(admin, 'GET', '/v1/audit?action=queue.adjudicated')).json();
    expect(audit.items).toHaveLength(3);
    expect(audit.items[0]).toMatchObject({ target: { type: 'queue', id: team }, details: { targetKey: 'item-4', criterion: 'overall', replaced: false } });
  });

  it('refuses an empty reason, unknown fields, items and criteria not in the queue, raters and other workspaces', async () => {
    const { t, analyst, rater, outsider, team } = await setup();
    const post = (token: string, body: unknown) => t.call(token, 'POST', `/v1/queues/${team}/adjudications`, body);
    const ok = { targetKey: 'a', criterion: 'helpful', rating: { thumb: 'up' }, reason: 'because' };
    expect((await post(analyst, { ...ok, reason: '   ' })).status).toBe(422);
    const { reason: _reason, ...noReason } = ok;
    expect((await post(analyst, noReason)).status).toBe(422);
    const extra = await post(analyst, { ...ok, itemKey: 'a' });
    expect(extra.status).toBe(422);
    expect((await extra.json()).error).toMatchObject({ code: 'unknown_field', details: { unknown: ['itemKey'] } });
    const item = await post(analyst, { ...ok, targetKey: 'zzz' });
    expect(item.status).toBe(422);
    expect((await item.json()).error).toMatchObject({ code: 'unknown_item', details: { field: 'targetKey' } });
    expect((await (await post(analyst, { ...ok, criterion: 'labelled' })).json()).error.code).toBe('unknown_criterion');
    expect((await post(analyst, { ...ok, rating: {} })).status).toBe(422);
    expect((await post(rater, ok)).status).toBe(403);
    expect((await post(outsider, ok)).status).toBe(404);
    expect((await t.call(outsider, 'GET', `/v1/queues/${team}/adjudications`)).status).toBe(404);
    expect((await (await t.call(analyst, 'GET', `/v1/queues/${team}/adjudications`)).json()).items).toEqual([]);
  });
});

interface Line {
  id: string;
  raterId: string;
  criterion: string;
  target: { key: string };
  rating: Record<string, unknown>;
  comment?: string;
  adjudicated?: unknown;
}

describe('gold=adjudicated exports', () => {
  it('replaces the reviews of each adjudicated target and criterion with one gold line, as the run and the manifest say', async () => {
    const { t, analyst, team } = await setup();
    setClock(new Date('2026-03-01T10:00:00.000Z'));
    await t.call(analyst, 'POST', `/v1/queues/${team}/adjudications`, { targetKey: 'c', criterion: 'helpful', rating: { thumb: 'down' }, reason: 'misleading' });
    await t.call(analyst, 'POST', `/v1/queues/${team}/adjudications`, { targetKey: 'item-5', criterion: 'overall', rating: { thumb: 'up' }, reason: 'correct' });

    const plain = (await (await t.call(analyst, 'GET', `/v1/exports/jsonl?queue=${team}&all=true`)).text()).trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(plain).toHaveLength(33); // 20 overall + 11 helpful reviews + 2 judge ratings
    expect(plain.some((l) => l.adjudicated)).toBe(false);

    const res = await t.call(analyst, 'GET', `/v1/exports/jsonl?queue=${team}&all=true&gold=adjudicated`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Line);
    // c had 4 reviews, item-5 had 2: 33 − 6 + 2 gold lines.
    expect(lines).toHaveLength(29);
    const gold = lines.filter((l) => l.adjudicated);
    expect(gold.map((l) => `${l.target.key}/${l.criterion}`).sort()).toEqual(['c/helpful', 'item-5/overall']);
    const c = gold.find((l) => l.target.key === 'c')!;
    expect(c).toMatchObject({ id: `gold:${team}:helpful:c`, raterId: 'ana', rating: { thumb: 'down' }, adjudicated: { by: 'ana', reason: 'misleading', at: '2026-03-01T10:00:00.000Z', queueId: team, reviews: 4 } });
    expect(c.comment).toBeUndefined();
    expect(lines.filter((l) => l.target.key === 'c' && l.criterion === 'helpful')).toHaveLength(1);
    expect(lines.filter((l) => l.target.key === 'item-5')).toHaveLength(1);
    // Everything else is as in the plain export.
    const untouched = (l: Line) => !(l.target.key === 'c' && l.criterion === 'helpful') && l.target.key !== 'item-5';
    expect(lines.filter((l) => !l.adjudicated)).toEqual(plain.filter(untouched));

    const runId = res.headers.get('X-Groundtruth-Export-Run')!;
    await expect.poll(async () => (await (await t.call(analyst, 'GET', `/v1/exports/runs/${runId}`)).json()).status).toBe('complete');
    const run = await (await t.call(analyst, 'GET', `/v1/exports/runs/${runId}`)).json();
    expect(run.counts).toMatchObject({
      read: 33,
      skipped: 6,
      made: { record: 27, gold: 2 },
      leftOut: { replaced_by_gold: 6 },
      written: { all: 29 },
      gold: { source: 'adjudicated', queueId: team, adjudications: 2, lines: 2, replacedReviews: 6 },
    });

    // The file export's manifest says the same.
    const dir = tempDir();
    const { manifest } = await exportToFiles(t.store, 'default', { format: 'jsonl', filters: { all: true, queue: team }, gold: 'adjudicated' }, path.join(dir, 'gold.jsonl'));
    expect(manifest.gold).toEqual({ source: 'adjudicated', queueId: team, adjudications: 2, lines: 2, replacedReviews: 6 });
    expect(manifest.counts.made).toEqual({ record: 27, gold: 2 });
    expect(fs.readFileSync(path.join(dir, 'gold.jsonl'), 'utf8').trim().split('\n')).toHaveLength(29);
  });

  it('needs the queue and the jsonl format', async () => {
    const { t, analyst, team } = await setup();
    const noQueue = await t.call(analyst, 'GET', '/v1/exports/jsonl?all=true&gold=adjudicated');
    expect(noQueue.status).toBe(422);
    expect((await noQueue.json()).error.message).toMatch(/queue=<id>/);
    expect((await t.call(analyst, 'GET', `/v1/exports/csv?all=true&gold=adjudicated&queue=${team}`)).status).toBe(422);
    expect((await t.call(analyst, 'GET', `/v1/exports/jsonl?all=true&gold=everything&queue=${team}`)).status).toBe(422);
  });
});
