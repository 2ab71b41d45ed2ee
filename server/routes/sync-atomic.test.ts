/**
 * `POST /v1/sync` with `"atomic": true` (DESIGN, "Atomic batches"; 003's `with storage.transaction()`):
 * all mutations or none. When one would be rejected nothing is written — no record, no event, no
 * rollup, search or outbox row — the answer is 200, the culprit keeps its reason and every other
 * mutation is `rejected` with reason `atomic_batch_not_applied`; `stale` and `unchanged` are not
 * failures. Runs on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ATOMIC_BATCH_NOT_APPLIED, CLOCK_AHEAD } from '../../shared/schemas.ts';
import { resetClock, setClock } from '../lib/clock.ts';
import { withInsightsTables } from '../insights/tables.ts';
import { withGovernance } from '../store/governance-tables.ts';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';

/** An upsert of any record (the helper's own is typed to makeFeedback's defaults). */
const upsert = (f: Record<string, unknown>) => ({ id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f });

type App = Awaited<ReturnType<typeof createTestApp>>;
interface Result {
  id: string;
  status: string;
  error?: string;
  reason?: string;
}

async function sync(t: App, token: string, mutations: unknown[], atomic?: boolean) {
  const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'orchestrator', mutations, ...(atomic === undefined ? {} : { atomic }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: Result[] }).results;
}

/** Everything a write moves: records, events and the projections kept in its transaction. */
async function snapshot(t: App) {
  const db = withInsightsTables(t.store.db);
  const rows = async (table: 'feedback' | 'feedback_events' | 'rollup_daily' | 'rollup_members' | 'rollup_targets' | 'feedback_examples') =>
    ((await db.selectFrom(table).selectAll().execute()) as unknown[]).map((r) => JSON.stringify(r)).sort();
  return {
    feedback: await rows('feedback'),
    events: await rows('feedback_events'),
    daily: await rows('rollup_daily'),
    members: await rows('rollup_members'),
    targets: await rows('rollup_targets'),
    examples: await rows('feedback_examples'),
    webhooks: (await withGovernance(t.store.db).selectFrom('webhook_deliveries').select('id').execute()).length,
  };
}

const task = (key: string, stars: number, extra: Record<string, unknown> = {}) =>
  makeFeedback({ target: { kind: 'task', key, subject: key }, criterion: 'task_quality', rating: { stars }, comment: 'fine', ...extra });

afterEach(() => resetClock());

describe('POST /v1/sync with "atomic": true', () => {
  it('applies every mutation of a good batch, like a plain one', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const batch = [task('task-1', 5), task('task-2', 3), task('task-3', 1)];
    expect((await sync(t, token, batch.map(upsert), true)).map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(await t.store.db.selectFrom('feedback').select('id').execute()).toHaveLength(3);
    // A replay is unchanged, and unchanged is not a failure.
    expect((await sync(t, token, batch.map(upsert), true)).map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('one invalid mutation: nothing is written, the culprit has its reason, the others atomic_batch_not_applied', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const existing = task('task-0', 4);
    await sync(t, token, [upsert(existing)]);
    const before = await snapshot(t);

    const good = task('task-1', 5);
    const bad = task('task-2', 9);
    const update = { ...existing, rating: { stars: 1 }, updatedAt: '2026-06-01T00:00:00.000Z' };
    const del = { id: existing.id, op: 'delete', updatedAt: '2026-06-02T00:00:00.000Z' };
    const results = await sync(t, token, [upsert(good), upsert(update), upsert(bad), del], true);
    expect(results).toEqual([
      { id: good.id, status: 'rejected', reason: ATOMIC_BATCH_NOT_APPLIED, error: expect.stringMatching(/atomic batch/) },
      { id: existing.id, status: 'rejected', reason: ATOMIC_BATCH_NOT_APPLIED, error: expect.any(String) },
      { id: bad.id, status: 'rejected', reason: expect.any(String), error: expect.stringMatching(/^feedback\.rating\.stars: stars go from 1 to 5/) },
      { id: existing.id, status: 'rejected', reason: ATOMIC_BATCH_NOT_APPLIED, error: expect.any(String) },
    ]);
    expect(await snapshot(t)).toEqual(before);

    // Without atomic the same batch applies what it can (the default is unchanged).
    const partial = await sync(t, token, [upsert(good), upsert(bad)]);
    expect(partial.map((r) => r.status)).toEqual(['applied', 'rejected']);
  });

  it('a rejection decided inside the transaction (another rater\'s record) undoes the batch too; projections do not move', async () => {
    const t = await createTestApp();
    const alice = await t.token('rater');
    const bob = await t.token('rater');
    const hers = task('task-9', 2);
    await sync(t, alice.token, [upsert(hers)]);
    const mine = task('task-10', 5);
    await sync(t, bob.token, [upsert(mine)]);
    const before = await snapshot(t);

    const newer = { ...mine, rating: { stars: 1 }, updatedAt: '2026-06-01T00:00:00.000Z' };
    const brandNew = task('task-11', 4);
    const hijack = { ...hers, rating: { stars: 5 }, updatedAt: '2026-06-01T00:00:00.000Z' };
    const results = await sync(t, bob.token, [upsert(newer), upsert(brandNew), upsert(hijack)], true);
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['rejected', ATOMIC_BATCH_NOT_APPLIED],
      ['rejected', ATOMIC_BATCH_NOT_APPLIED],
      ['rejected', 'owned_by_other_rater'],
    ]);
    expect(results[2]!.error).toMatch(/another rater/);
    expect(await snapshot(t)).toEqual(before);
    const stored = await (await t.call(bob.token, 'GET', `/v1/feedback/${mine.id}`)).json();
    expect(stored.rating).toEqual({ stars: 5 });

    // Fixed and sent again, the batch applies as a whole.
    const again = await sync(t, bob.token, [upsert(newer), upsert(brandNew)], true);
    expect(again.map((r) => r.status)).toEqual(['applied', 'applied']);
    const analyst = await t.token('analyst');
    const summary = await (await t.call(analyst.token, 'GET', '/v1/insights/summary?subject=task-10')).json();
    expect(summary).toMatchObject({ total: 1, averageRating: 1 });
  });

  it('stale and unchanged are not failures: the rest of the batch applies', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const f = task('task-1', 4, { updatedAt: '2026-01-05T00:00:00.000Z' });
    await sync(t, token, [upsert(f)]);
    const older = { ...f, rating: { stars: 1 }, updatedAt: '2026-01-01T00:00:00.000Z' };
    const fresh = task('task-2', 5);
    const results = await sync(t, token, [upsert(f), upsert(older), upsert(fresh)], true);
    expect(results.map((r) => r.status)).toEqual(['unchanged', 'stale', 'applied']);
    expect(await t.store.db.selectFrom('feedback').select('id').where('deleted', '=', 0).execute()).toHaveLength(2);
  });

  it('a mutation from a clock ahead (clock_ahead) stops the batch before the store: nothing is written', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    setClock(new Date('2026-02-01T12:00:00Z'));
    const before = await snapshot(t);
    const good = task('task-1', 5, { createdAt: '2026-02-01T11:00:00.000Z', updatedAt: '2026-02-01T11:00:00.000Z' });
    const ahead = task('task-2', 5, { createdAt: '2026-02-01T13:00:00.000Z', updatedAt: '2026-02-01T13:00:00.000Z' });
    const invalid = task('task-3', 0, { createdAt: '2026-02-01T11:00:00.000Z', updatedAt: '2026-02-01T11:00:00.000Z' });
    const results = await sync(t, token, [upsert(good), upsert(ahead), upsert(invalid)], true);
    expect(results.map((r) => [r.id, r.status, r.reason])).toEqual([
      [good.id, 'rejected', ATOMIC_BATCH_NOT_APPLIED],
      [ahead.id, 'rejected', CLOCK_AHEAD],
      [invalid.id, 'rejected', expect.any(String)],
    ]);
    expect(results[2]!.error).toMatch(/stars/);
    expect(await snapshot(t)).toEqual(before);
    // Non-atomic, the good one still applies.
    expect((await sync(t, token, [upsert(good), upsert(ahead)], false)).map((r) => r.status)).toEqual(['applied', 'rejected']);
  });

  it('"atomic" must be a boolean', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'x', mutations: [], atomic: 'yes' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^atomic:/);
  });
});
