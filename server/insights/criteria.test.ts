/**
 * Insights per criterion (issue 12, item 2): accuracy, stats and agreement count criterion
 * `overall` unless a criterion filter names another or the figure is broken down by criterion;
 * filters the rollups are not kept by are counted exactly from the rows and agree with a direct
 * count, and the exact path gives the rollups' figures where both can answer. Also through
 * GET /v1/insights/*. SQLite, and PostgreSQL under test:postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/open.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings, type RatingSpec } from '../../test/helpers/ratings.ts';
import { accuracy } from './accuracy.ts';
import { agreement } from './agreement.ts';
import { DIMENSIONS } from './rollups.ts';
import { stats } from './stats.ts';

let store: Store;
const now = new Date('2026-01-05T15:00:00Z');

const RATINGS: RatingSpec[] = [
  // k1: both agree overall, disagree on correctness.
  { rater: 'ann', key: 'k1', model: 'a', thumb: 'up', day: '2026-01-04', conversationId: 'c1' },
  { rater: 'bob', key: 'k1', model: 'a', thumb: 'up', day: '2026-01-04', conversationId: 'c1' },
  { rater: 'ann', key: 'k1', model: 'a', criterion: 'correctness', thumb: 'down', day: '2026-01-04', conversationId: 'c1' },
  { rater: 'bob', key: 'k1', model: 'a', criterion: 'correctness', thumb: 'up', day: '2026-01-04', conversationId: 'c1' },
  // k2: both down overall; stars on task_quality far apart.
  { rater: 'ann', key: 'k2', model: 'a', thumb: 'down', day: '2026-01-05', conversationId: 'c2' },
  { rater: 'bob', key: 'k2', model: 'a', thumb: 'down', day: '2026-01-05', conversationId: 'c2' },
  { rater: 'ann', key: 'k2', model: 'a', criterion: 'task_quality', stars: 5, day: '2026-01-05' },
  { rater: 'bob', key: 'k2', model: 'a', criterion: 'task_quality', stars: 1, day: '2026-01-05' },
  // k3: one rater, another model, a subject; a correctness vote by someone who never rated overall.
  { rater: 'cat', key: 'k3', model: 'b', thumb: 'up', day: '2026-01-05', subject: 's1', context: { latency_ms: 40 } },
  { rater: 'dan', key: 'k3', model: 'b', criterion: 'correctness', thumb: 'down', day: '2026-01-05T20:00:00.000Z', subject: 's1' },
];

beforeAll(async () => {
  store = await openTestStore();
  await seedRatings(store, 'w', RATINGS);
});
afterAll(() => store.close());

const byModel = (groups: { key: Record<string, string | null>; up: number; down: number }[]) =>
  Object.fromEntries(groups.map((g) => [g.key.model, [g.up, g.down]]));

describe('accuracy per criterion', () => {
  it('counts `overall` by default, another criterion when filtered, each criterion when grouped by it', async () => {
    const overall = await accuracy(store.db, 'w');
    expect(overall.criterion).toBe('overall');
    expect(byModel(overall.groups)).toEqual({ a: [2, 2], b: [1, 0] });
    const correctness = await accuracy(store.db, 'w', { criterion: 'correctness' });
    expect(correctness.criterion).toBe('correctness');
    expect(byModel(correctness.groups)).toEqual({ a: [1, 1], b: [0, 1] });
    const grouped = await accuracy(store.db, 'w', { groupBy: ['criterion'] });
    expect(grouped.criterion).toBeNull();
    expect(Object.fromEntries(grouped.groups.map((g) => [g.key.criterion, [g.ratings, g.up, g.down, g.starsN]]))).toEqual({
      overall: [5, 3, 2, 0],
      correctness: [3, 1, 2, 0],
      task_quality: [2, 0, 0, 2],
    });
    // Grouped by criterion with a criterion filter: that criterion alone.
    const one = await accuracy(store.db, 'w', { groupBy: ['criterion', 'model'], criterion: 'task_quality' });
    expect(one.groups.map((g) => g.key)).toEqual([{ criterion: 'task_quality', model: 'a' }]);
  });

  it('counts filters the rollups are not kept by exactly, as a direct count of the rows does', async () => {
    const direct = async (where: (q: any) => any) =>
      Number((await where(store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', 'w').where('deleted', '=', 0)).executeTakeFirst())!.n);
    const bySubject = await accuracy(store.db, 'w', { subject: 's1', groupBy: ['criterion'] });
    expect(bySubject.groups.map((g) => [g.key.criterion, g.ratings]).sort()).toEqual([['correctness', 1], ['overall', 1]]);
    expect(bySubject.groups.reduce((s, g) => s + g.ratings, 0)).toBe(await direct((q) => q.where('subject', '=', 's1')));
    const ann = await accuracy(store.db, 'w', { rater: 'ann' });
    expect(byModel(ann.groups)).toEqual({ a: [1, 1] });
    expect(ann.groups[0]!.ratings).toBe(await direct((q) => q.where('rater_id', '=', 'ann').where('criterion', '=', 'overall')));
    // An instant inside a day: dan's correctness vote at 20:00 is after it, cat's at 12:00 before.
    const beforeEvening = await accuracy(store.db, 'w', { criterion: 'correctness', since: '2026-01-05T00:00:00Z', until: '2026-01-05T18:00:00Z' });
    expect(beforeEvening.groups).toEqual([]);
    const thumbsDown = await accuracy(store.db, 'w', { thumb: 'down', groupBy: ['criterion'] });
    expect(Object.fromEntries(thumbsDown.groups.map((g) => [g.key.criterion, g.down]))).toEqual({ overall: 2, correctness: 2 });
  });

  it('gives the rollups figures from the rows too, where both can answer', async () => {
    // An `until` a millisecond after midnight, long after every rating, is read from the rows.
    const later = '2030-01-01T00:00:00.001Z';
    for (const criterion of [undefined, 'correctness']) {
      const groupBy = [...DIMENSIONS];
      const fromRollups = await accuracy(store.db, 'w', { groupBy, criterion });
      const fromRows = await accuracy(store.db, 'w', { groupBy, criterion, until: later });
      expect(fromRows.groups).toEqual(fromRollups.groups);
    }
    for (const criterion of [undefined, 'correctness', 'task_quality']) {
      const { criterion: _c, ...fromRollups } = await agreement(store.db, 'w', { criterion });
      const { criterion: _d, ...fromRows } = await agreement(store.db, 'w', { criterion, until: later });
      expect(fromRows).toEqual(fromRollups);
    }
    // Every record is a chat_response: a kind filter (read from the rows in stats) changes nothing.
    for (const criterion of [undefined, 'correctness']) {
      expect(await stats(store.db, 'w', { days: 7, now, criterion, kind: 'chat_response' })).toEqual(await stats(store.db, 'w', { days: 7, now, criterion }));
    }
  });
});

describe('stats per criterion', () => {
  it('counts `overall` by default and one criterion when filtered, raters and conversations included', async () => {
    const overall = await stats(store.db, 'w', { days: 7, now });
    expect(overall.criterion).toBe('overall');
    expect(overall.current).toMatchObject({ ratings: 5, up: 3, down: 2, raters: 3, conversations: 2, meanLatencyMs: 40 });
    const correctness = await stats(store.db, 'w', { days: 7, now, criterion: 'correctness' });
    expect(correctness.current).toMatchObject({ ratings: 3, up: 1, down: 2, raters: 3, conversations: 1, meanLatencyMs: null });
    const quality = await stats(store.db, 'w', { days: 7, now, criterion: 'task_quality' });
    expect(quality.current).toMatchObject({ ratings: 2, stars: { 1: 1, 2: 0, 3: 0, 4: 0, 5: 1 }, meanStars: 3, raters: 2 });
    // A filter the rollups are not kept by: counted from the rows.
    const modelB = await stats(store.db, 'w', { days: 7, now, model: 'b' });
    expect(modelB.current).toMatchObject({ ratings: 1, up: 1, raters: 1, conversations: 0 });
  });

  it('refuses since/until: its window is `days`', async () => {
    await expect(stats(store.db, 'w', { days: 7, now, since: '2026-01-01' } as never)).rejects.toThrow(/days/);
  });
});

describe('agreement per criterion', () => {
  it('takes each target and criterion as a unit, `overall` by default, every criterion in byCriterion', async () => {
    const overall = await agreement(store.db, 'w');
    expect(overall.criterion).toBe('overall');
    expect(overall.overall).toMatchObject({ targets: 2, thumbs: { percentAgreement: 1 } });
    expect(overall.disputed).toEqual([]);
    const correctness = await agreement(store.db, 'w', { criterion: 'correctness' });
    expect(correctness.overall).toMatchObject({ targets: 1, thumbs: { percentAgreement: 0 } });
    expect(correctness.disputed).toEqual([{ targetKey: 'k1', criterion: 'correctness', model: 'a', raters: 2, up: 1, down: 1, stars: [0, 0, 0, 0, 0], disagreement: 1 }]);
    expect(correctness.byCriterion.map((c) => c.criterion)).toEqual(['correctness']);
    expect(overall.byCriterion.map((c) => [c.criterion, c.targets])).toEqual([['overall', 2], ['correctness', 1], ['task_quality', 1]]);
    const quality = overall.byCriterion.find((c) => c.criterion === 'task_quality')!;
    expect(quality.stars).toMatchObject({ units: 1, values: 2, percentAgreement: 0 });
    // A filter the targets are not kept by (subject) is counted from the rows: k3 has one rater per criterion.
    expect((await agreement(store.db, 'w', { subject: 's1' })).byCriterion).toEqual([]);
  });
});

describe('GET /v1/insights/* with criterion', () => {
  it('groups and filters by criterion, and says which criterion it counted', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await seedRatings(t.store, 'default', RATINGS);
    const grouped = await (await t.call(token, 'GET', '/v1/insights/accuracy?groupBy=criterion')).json();
    expect(grouped.criterion).toBeNull();
    expect(grouped.groups.map((g: { key: { criterion: string } }) => g.key.criterion).sort()).toEqual(['correctness', 'overall', 'task_quality']);
    const filtered = await (await t.call(token, 'GET', '/v1/insights/accuracy?criterion=correctness')).json();
    expect(filtered.criterion).toBe('correctness');
    expect(filtered.groups.map((g: { key: { model: string }; up: number; down: number }) => [g.key.model, g.up, g.down]).sort()).toEqual([['a', 1, 1], ['b', 0, 1]]);
    const st = await (await t.call(token, 'GET', '/v1/insights/stats?days=90&criterion=task_quality')).json();
    expect(st).toMatchObject({ criterion: 'task_quality' });
    const agr = await (await t.call(token, 'GET', '/v1/insights/agreement?criterion=correctness')).json();
    expect(agr).toMatchObject({ criterion: 'correctness', overall: { targets: 1 }, disputed: [{ targetKey: 'k1', criterion: 'correctness' }] });
    const bad = await t.call(token, 'GET', '/v1/insights/accuracy?criterion=Not%20A%20Name');
    expect(bad.status).toBe(422);
  });
});
