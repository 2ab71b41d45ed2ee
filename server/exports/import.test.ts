import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyMutations } from '../store/feedback.ts';
import type { Store } from '../store/open.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { tempDir } from '../../test/helpers/app.ts';
import { withInsightsTables } from '../insights/tables.ts';
import { exportToFiles } from './files.ts';
import { importRecords } from './import.ts';

async function snapshot(store: Store) {
  const db = withInsightsTables(store.db);
  return {
    feedback: await db.selectFrom('feedback').selectAll().where('deleted', '=', 0).orderBy('id').execute(),
    daily: await db.selectFrom('rollup_daily').selectAll().where('n', '>', 0).orderBy('workspace_id').orderBy('day').orderBy('model').orderBy('intent').orderBy('project').orderBy('site').orderBy('kind').execute(),
    targets: await db.selectFrom('rollup_targets').selectAll().where('n', '>', 0).orderBy('workspace_id').orderBy('target_key').orderBy('model').execute(),
    examples: await db.selectFrom('feedback_examples').selectAll().orderBy('feedback_id').execute(),
  };
}

async function exportAll(store: Store, workspaceId: string, out: string): Promise<string> {
  await exportToFiles(store, workspaceId, { format: 'jsonl', filters: { all: true } }, out);
  return fs.readFileSync(out, 'utf8');
}

describe('import', () => {
  it('import(export(x)) = x: same ids, raters, workspace, client, timestamps, rollups; and again is a no-op', async () => {
    const dir = tempDir('gt-import-');
    const source = await openTestStore();
    const ids = await seedRatings(source, 'w', [
      { rater: 'ann', prompt: 'p1', output: 'o1', thumb: 'up', model: 'm', intent: 'code', project: 'x', site: 'chatgpt', conversationId: 'c1', tags: ['t1', 't2'], comment: 'nice', context: { latency_ms: 12, tokens_used: 30, nested: { z: 1, a: [1, 2] } } },
      { rater: 'ann', prompt: 'p2', output: 'o2', stars: 3, label: 'partial', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }] },
      { rater: 'bob', prompt: 'p1', output: 'o1', thumb: 'down', correction: 'o1 fixed', day: '2026-02-03T04:05:06.789Z' },
      { rater: 'bob', kind: 'error_analysis', output: 'x', thumb: 'up', alternatives: ['y', 'z'] },
      { rater: 'cat', prompt: 'gone', output: 'gone', thumb: 'up' },
    ]);
    // A re-vote and a delete: only the live state is exported.
    const actor = { workspaceId: 'w', raterId: 'ann', role: 'rater' as const, tokenId: null, clientId: 'phone' };
    const first = (await source.db.selectFrom('feedback').select('record').where('id', '=', ids[0]!).executeTakeFirstOrThrow()).record!;
    const revote = { ...JSON.parse(first), rating: { thumb: 'down', stars: 2 }, updatedAt: '2026-03-01T00:00:00.000Z' };
    await applyMutations(source.db, actor, [{ id: ids[0], op: 'upsert', updatedAt: revote.updatedAt, feedback: revote }], new Date('2026-03-02T00:00:00.000Z'));
    await applyMutations(source.db, { ...actor, raterId: 'cat' }, [{ id: ids[4], op: 'delete', updatedAt: '2026-03-01T00:00:00.000Z' }]);
    await seedRatings(source, 'other-ws', [{ rater: 'dan', prompt: 'q', output: 'a', thumb: 'up' }]);

    const exported = await exportAll(source, 'w', path.join(dir, 'x.jsonl'));
    expect(exported.trim().split('\n')).toHaveLength(4);

    const target = await openTestStore();
    const report = await importRecords(target.db, fs.createReadStream(path.join(dir, 'x.jsonl')));
    expect(report).toMatchObject({ lines: 4, applied: 4, unchanged: 0, stale: 0, rejected: [] });

    const want = await snapshot(source);
    const got = await snapshot(target);
    const inW = <T extends { workspace_id: string }>(rows: T[]) => rows.filter((r) => r.workspace_id === 'w');
    expect(got.feedback).toEqual(inW(want.feedback));
    expect(got.daily).toEqual(inW(want.daily));
    expect(got.targets).toEqual(inW(want.targets));
    expect(got.examples).toEqual(inW(want.examples));
    expect(got.feedback.find((r) => r.id === ids[0])).toMatchObject({ client_id: 'phone', received_at: '2026-03-02T00:00:00.000Z', thumb: 'down' });
    // Events were written for the imported records.
    expect(await target.db.selectFrom('feedback_events').select('feedback_id').execute()).toHaveLength(4);

    // Exporting the copy gives the same bytes; importing again changes nothing.
    expect(await exportAll(target, 'w', path.join(dir, 'y.jsonl'))).toBe(exported);
    const again = await importRecords(target.db, fs.createReadStream(path.join(dir, 'x.jsonl')));
    expect(again).toMatchObject({ applied: 0, unchanged: 4, rejected: [] });
    expect(await snapshot(target)).toEqual(got);
    expect(await target.db.selectFrom('feedback_events').select('feedback_id').execute()).toHaveLength(4);
    await source.close();
    await target.close();
  });

  it('with partial: reports bad lines with their numbers and applies the rest; keeps a newer stored version', async () => {
    const store = await openTestStore();
    const [id] = await seedRatings(store, 'w', [{ rater: 'ann', prompt: 'p', output: 'o', thumb: 'up', day: '2026-01-01' }]);
    const row = (await store.db.selectFrom('feedback').selectAll().executeTakeFirstOrThrow())!;
    const stored = { ...JSON.parse(row.record!), receivedAt: row.received_at, raterId: 'ann', workspaceId: 'w', clientId: null };
    const older = { ...stored, rating: { thumb: 'down' }, updatedAt: '2025-12-31T00:00:00.000Z' };
    const fresh = { ...stored, id: '01900000-0000-7000-8000-000000000001', target: { ...stored.target, key: 'other' } };
    const input = [JSON.stringify(older), '{not json', JSON.stringify({ ...fresh, rating: {} }), '', JSON.stringify(fresh)].join('\n');
    const report = await importRecords(store.db, Readable.from([input]), { partial: true });
    expect(report.stale).toBe(1);
    expect(report.applied).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([2, 3]);
    expect(report.rejected[1]!.error).toMatch(/rating/);
    const kept = await store.db.selectFrom('feedback').select('thumb').where('id', '=', id!).executeTakeFirstOrThrow();
    expect(kept.thumb).toBe('up');
    await store.close();
  });
});

describe('import of queue reviews and judges', () => {
  it('keeps a review’s queueId and a judge’s source, even where the queue is not in the store', async () => {
    const { createTestApp, makeFeedback } = await import('../../test/helpers/app.ts');
    const t = await createTestApp();
    const analyst = await t.token('analyst');
    const reviewer = await t.token('rater');
    const admin = await t.token('admin');
    const answer = makeFeedback();
    expect((await t.call(admin.token, 'POST', '/v1/feedback', { ...answer, source: { type: 'model', name: 'judge-a' } })).status).toBe(201);
    const made = await t.call(analyst.token, 'POST', '/v1/queues', { name: 'check', filter: {} });
    expect(made.status).toBe(201);
    const queueId = ((await made.json()) as { id: string }).id;
    const review = makeFeedback({ target: answer.target, queueId, rating: { thumb: 'down' } });
    expect((await t.call(reviewer.token, 'POST', '/v1/feedback', review)).status).toBe(201);

    const dir = tempDir('gt-import-queue-');
    await exportAll(t.store, 'default', path.join(dir, 'q.jsonl'));
    const target = await openTestStore();
    const report = await importRecords(target.db, fs.createReadStream(path.join(dir, 'q.jsonl')));
    expect(report).toMatchObject({ lines: 2, applied: 2, rejected: [] });
    const rows = await target.db.selectFrom('feedback').select(['id', 'queue_id', 'source_type', 'source_name', 'source_channel']).orderBy('id').execute();
    expect(rows).toEqual(
      [
        { id: answer.id, queue_id: null, source_type: 'model', source_name: 'judge-a', source_channel: 'api' },
        { id: review.id, queue_id: queueId, source_type: 'human', source_name: '', source_channel: 'api' },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });
});
