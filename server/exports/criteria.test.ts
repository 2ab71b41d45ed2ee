/**
 * Exports choose which criterion gates a training example (issue 12, item 2): training formats
 * label examples by the votes of criterion `overall` unless the `criterion` filter names another;
 * record formats keep every criterion unless filtered. SQLite, and PostgreSQL under test:postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/open.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings, type RatingSpec } from '../../test/helpers/ratings.ts';
import { emptyCounts, exportLines, prepareExport, type ExportOptions } from './stream.ts';

let store: Store;

const DATA: RatingSpec[] = [
  // One answer: liked overall by two raters, judged incorrect by one of them (and a third).
  { rater: 'r1', key: 'a1', prompt: 'Capital of Australia?', output: 'Sydney', thumb: 'up', conversationId: 'c1' },
  { rater: 'r2', key: 'a1', prompt: 'Capital of Australia?', output: 'Sydney', thumb: 'up', conversationId: 'c2' },
  { rater: 'r1', key: 'a1', prompt: 'Capital of Australia?', output: 'Sydney', thumb: 'down', criterion: 'correctness', conversationId: 'c1' },
  { rater: 'r3', key: 'a1', prompt: 'Capital of Australia?', output: 'Sydney', thumb: 'down', criterion: 'correctness', conversationId: 'c3' },
  // Another answer to the same prompt, correct and liked.
  { rater: 'r3', key: 'a2', prompt: 'Capital of Australia?', output: 'Canberra', thumb: 'up', criterion: 'correctness', conversationId: 'c3' },
  { rater: 'r3', key: 'a2', prompt: 'Capital of Australia?', output: 'Canberra', thumb: 'down', conversationId: 'c3' },
];

beforeAll(async () => {
  store = await openTestStore();
  await seedRatings(store, 'w', DATA);
});
afterAll(() => store.close());

async function run(options: ExportOptions) {
  const prepared = prepareExport({ ...options, filters: { all: true, ...options.filters } });
  const counts = emptyCounts();
  const objects: Record<string, any>[] = [];
  for await (const line of exportLines(store.db, 'w', prepared, counts)) objects.push(JSON.parse(line.text));
  return { objects, counts, prepared };
}

const weightOf = (objects: Record<string, any>[], answer: string) => objects.find((o) => o.messages.at(-1).content === answer)?.weight;

describe('exports by criterion', () => {
  it('labels training examples by the overall votes by default, and records the criterion it used', async () => {
    const { objects, counts, prepared } = await run({ format: 'weighted' });
    expect(prepared.filters.criterion).toBe('overall');
    expect(counts.read).toBe(3);
    expect(weightOf(objects, 'Sydney')).toBe(2);
    expect(weightOf(objects, 'Canberra')).toBe(0.5);
    expect(objects.find((o) => o.messages.at(-1).content === 'Sydney')!.metadata).toMatchObject({ up: 2, down: 0 });
  });

  it('labels them by another criterion when asked', async () => {
    const { objects, counts, prepared } = await run({ format: 'weighted', filters: { criterion: 'correctness' } });
    expect(prepared.filters.criterion).toBe('correctness');
    expect(counts.read).toBe(3);
    expect(weightOf(objects, 'Sydney')).toBe(0.5);
    expect(weightOf(objects, 'Canberra')).toBe(2);
    // A preference pair follows the gate too: correct over incorrect.
    const dpo = await run({ format: 'trl-dpo', filters: { criterion: 'correctness' } });
    expect(dpo.objects.map((o) => [o.chosen.at(-1).content, o.rejected.at(-1).content])).toEqual([['Canberra', 'Sydney']]);
    expect((await run({ format: 'trl-dpo' })).objects.map((o) => [o.chosen.at(-1).content, o.rejected.at(-1).content])).toEqual([['Sydney', 'Canberra']]);
  });

  it('keeps every criterion in record formats unless filtered', async () => {
    const all = await run({ format: 'jsonl' });
    expect(all.prepared.filters.criterion).toBeUndefined();
    expect(all.objects.map((o) => o.criterion ?? 'overall').sort()).toEqual(['correctness', 'correctness', 'correctness', 'overall', 'overall', 'overall']);
    const one = await run({ format: 'jsonl', filters: { criterion: 'correctness' } });
    expect(one.objects).toHaveLength(3);
  });

  it('takes ?criterion= on GET /v1/exports/{format}', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await seedRatings(t.store, 'default', DATA);
    const lines = async (query: string) =>
      (await (await t.call(token, 'GET', `/v1/exports/weighted?all=true${query}`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(weightOf(await lines(''), 'Sydney')).toBe(2);
    expect(weightOf(await lines('&criterion=correctness'), 'Sydney')).toBe(0.5);
  });
});
