/**
 * One live vote per rater + target + criterion (issue 12, item 2; docs/decisions/0030-criteria.md),
 * through POST /v1/sync on a real store (SQLite, and PostgreSQL under test:postgres): criteria of
 * one answer are separate live records, a second device supersedes only the same criterion, a
 * record moved to another criterion frees its old place, and an absent criterion is `overall`.
 */
import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { uuidv7 } from '../../shared/ids.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;

async function sync(t: T, token: string, mutations: unknown[], clientId = 'device-a') {
  const res = await t.call(token, 'POST', '/v1/sync', { clientId, mutations });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { id: string; status: string; error?: string }[] }).results;
}

/** This workspace's live rows of a target: criterion → [id, thumb]. */
async function live(t: T, targetKey: string) {
  const rows = await t.store.db
    .selectFrom('feedback')
    .select(['id', 'criterion', 'thumb'])
    .where('target_key', '=', targetKey)
    .where('deleted', '=', 0)
    .orderBy('criterion')
    .execute();
  return rows.map((r) => [r.criterion, r.id, r.thumb]);
}

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString();

function vote(key: string, second: number, extra: Record<string, unknown> = {}) {
  const base = makeFeedback({ createdAt: at(second), updatedAt: at(second), ...extra });
  return { ...base, target: { ...base.target, key } };
}

describe('criteria: one live vote per rater + target + criterion', () => {
  it('keeps a vote on overall and one on correctness of the same answer as two live records', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const overall = vote('msg-1', 1);
    const correctness = vote('msg-1', 2, { criterion: 'correctness', rating: { thumb: 'down' } });
    expect((await sync(t, token, [upsert(overall), upsert(correctness)])).map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await live(t, 'msg-1')).toEqual([
      ['correctness', correctness.id, 'down'],
      ['overall', overall.id, 'up'],
    ]);
    // Both come back, each with its criterion; the list filters by it.
    const listed = await (await t.call(token, 'GET', '/v1/feedback?criterion=correctness')).json();
    expect(listed.items.map((f: { id: string; criterion?: string }) => [f.id, f.criterion])).toEqual([[correctness.id, 'correctness']]);
  });

  it('a second device re-voting one criterion supersedes that criterion only', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const overall = vote('msg-2', 1);
    const first = vote('msg-2', 2, { criterion: 'helpfulness' });
    await sync(t, token, [upsert(overall), upsert(first)]);
    const again = vote('msg-2', 3, { criterion: 'helpfulness', rating: { thumb: 'down' } });
    expect((await sync(t, token, [upsert(again)], 'device-b')).map((r) => r.status)).toEqual(['applied']);
    expect(await live(t, 'msg-2')).toEqual([
      ['helpfulness', again.id, 'down'],
      ['overall', overall.id, 'up'],
    ]);
    const events = await t.store.db.selectFrom('feedback_events').select(['feedback_id', 'op']).where('op', '=', 'supersede').execute();
    expect(events).toEqual([{ feedback_id: first.id, op: 'supersede' }]);
    // An older vote of the same criterion from a third device loses, and says why.
    const older = vote('msg-2', 0, { criterion: 'helpfulness' });
    expect(await sync(t, token, [upsert(older)], 'device-c')).toEqual([
      { id: older.id, status: 'stale', error: 'a newer vote for this target and criterion exists' },
    ]);
  });

  it('treats an absent criterion and `overall` as the same criterion', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const plain = vote('msg-3', 1);
    await sync(t, token, [upsert(plain)]);
    const named = vote('msg-3', 2, { criterion: 'overall', rating: { thumb: 'down' } });
    await sync(t, token, [upsert(named)], 'device-b');
    expect(await live(t, 'msg-3')).toEqual([['overall', named.id, 'down']]);
  });

  it('a record moved to another criterion frees its old place', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const moved = vote('msg-4', 1, { criterion: 'task_quality' });
    await sync(t, token, [upsert(moved)]);
    const renamed = { ...moved, criterion: 'task_completion', updatedAt: at(2) };
    // In the same batch a new record takes the freed criterion: nothing is superseded.
    const taker = vote('msg-4', 3, { criterion: 'task_quality', rating: { thumb: 'down' } });
    expect((await sync(t, token, [upsert(renamed), upsert(taker)])).map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await live(t, 'msg-4')).toEqual([
      ['task_completion', moved.id, 'up'],
      ['task_quality', taker.id, 'down'],
    ]);
    expect(await t.store.db.selectFrom('feedback_events').select('op').where('op', '=', 'supersede').execute()).toEqual([]);
  });

  it('two raters on the same criterion are two live records; another rater never supersedes', async () => {
    const t = await createTestApp();
    const ann = await t.token('rater', { raterId: 'ann' });
    const bob = await t.token('rater', { raterId: 'bob' });
    const a = vote('msg-5', 1, { criterion: 'correctness' });
    const b = vote('msg-5', 2, { criterion: 'correctness', rating: { thumb: 'down' } });
    await sync(t, ann.token, [upsert(a)]);
    await sync(t, bob.token, [upsert(b)]);
    expect((await live(t, 'msg-5')).map((r) => r[1]).sort()).toEqual([a.id, b.id].sort());
  });

  it('refuses a criterion name outside the allowed shape, with the reason, and applies the rest', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const bad = vote('msg-6', 1, { criterion: 'Task Quality' });
    const good = vote('msg-6', 2, { criterion: 'task_quality' });
    const results = await sync(t, token, [upsert(bad), upsert(good)]);
    expect(results[0]).toMatchObject({ id: bad.id, status: 'rejected' });
    expect(results[0]!.error).toMatch(/^feedback\.criterion: must be lowercase/);
    expect(results[1]).toEqual({ id: good.id, status: 'applied' });
  });

  it('undoing one criterion leaves the others live', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const overall = vote('msg-7', 1);
    const correctness = vote('msg-7', 2, { criterion: 'correctness' });
    await sync(t, token, [upsert(overall), upsert(correctness)]);
    expect(await sync(t, token, [{ id: correctness.id, op: 'delete', updatedAt: at(3) }])).toEqual([{ id: correctness.id, status: 'applied' }]);
    expect(await live(t, 'msg-7')).toEqual([['overall', overall.id, 'up']]);
    // The place is free again: a new id for correctness is a new vote, not a stale one.
    const fresh = { ...vote('msg-7', 4, { criterion: 'correctness' }), id: uuidv7() };
    expect((await sync(t, token, [upsert(fresh)])).map((r) => r.status)).toEqual(['applied']);
  });
});
