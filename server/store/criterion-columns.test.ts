/**
 * The record's columns come from its one description (shared/feedback-fields.ts): `criterion` and
 * `has_correction` (migration 0120) are filled on every write, through the real API. A record sent
 * without a criterion (or with the default, `overall`) serializes and hashes exactly as before it
 * existed, so an old batch replayed stays `unchanged`; reads name the criterion always (`overall`
 * by default); a PATCH keeps it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

const apps: Awaited<ReturnType<typeof createTestApp>>[] = [];
afterEach(async () => {
  for (const t of apps.splice(0)) await t.store.close();
});

async function setup() {
  const t = await createTestApp();
  apps.push(t);
  const rater = await t.token('rater');
  const sync = async (mutations: unknown[]) => {
    const res = await t.call(rater.token, 'POST', '/v1/sync', { clientId: 'c1', mutations });
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: { id: string; status: string; error?: string }[] }).results;
  };
  const row = (id: string) => t.store.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { t, rater, sync, row };
}

describe('criterion and has_correction columns', () => {
  it('store a record sent without a criterion as before: same JSON, same hash, replay unchanged, read back as overall', async () => {
    const { t, rater, sync, row } = await setup();
    // A record and its stored JSON and hash as computed by the tree before criteria existed (commit fbc77f5).
    const f = {
      id: '01a2316f-0000-7000-8000-000000000001',
      target: { kind: 'chat_response', key: 'chatgpt:msg-1', site: 'chatgpt', model: 'gpt-5', conversationId: 'conv-1', prompt: 'What is 2+2?', output: '4' },
      rating: { thumb: 'up', stars: 4 },
      comment: 'fine',
      tags: ['math'],
      createdAt: '2026-01-01T12:00:00Z',
      updatedAt: '2026-01-01T12:00:00Z',
    };
    const before =
      '{"id":"01a2316f-0000-7000-8000-000000000001","target":{"kind":"chat_response","key":"chatgpt:msg-1","site":"chatgpt",' +
      '"conversationId":"conv-1","model":"gpt-5","prompt":"What is 2+2?","output":"4"},"rating":{"thumb":"up","stars":4},' +
      '"comment":"fine","tags":["math"],"createdAt":"2026-01-01T12:00:00.000Z","updatedAt":"2026-01-01T12:00:00.000Z"}';
    expect(await sync([upsert(f)])).toEqual([{ id: f.id, status: 'applied' }]);
    const stored = await row(f.id);
    expect(stored.record).toBe(before);
    expect(stored.content_hash).toBe('9d0834729066bdc24aefa1da39352374a8cc0287f0d7060d28b0afea152b2e4f');
    expect(stored.criterion).toBe('overall');
    expect(Number(stored.has_correction)).toBe(0);
    expect(await sync([upsert(f)])).toEqual([{ id: f.id, status: 'unchanged' }]);
    // `overall` said out loud is the same record: stored as absent, same hash.
    expect(await sync([{ ...upsert(f), feedback: { ...f, criterion: 'overall' } }])).toEqual([{ id: f.id, status: 'unchanged' }]);

    const read = await t.call(rater.token, 'GET', `/v1/feedback/${f.id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { criterion?: string }).criterion).toBe('overall');
  });

  it('fill criterion and has_correction from the record, and a PATCH keeps the criterion', async () => {
    const { t, rater, sync, row } = await setup();
    const f = makeFeedback({ criterion: 'task_quality', correction: { output: 'The right answer.' } });
    expect(await sync([upsert(f)])).toEqual([{ id: f.id, status: 'applied' }]);
    const stored = await row(f.id);
    expect(stored.criterion).toBe('task_quality');
    expect(Number(stored.has_correction)).toBe(1);
    expect(JSON.parse(stored.record!).criterion).toBe('task_quality');

    const res = await t.call(rater.token, 'PATCH', `/v1/feedback/${f.id}`, { correction: null, comment: 'on second thought' });
    expect(res.status).toBe(200);
    const patched = await row(f.id);
    expect(patched.criterion).toBe('task_quality');
    expect(Number(patched.has_correction)).toBe(0);

    const fields = makeFeedback({ correction: { fields: { label: 'spam' } } });
    const empty = makeFeedback({ correction: { output: '' } });
    expect((await sync([upsert(fields), upsert(empty)])).map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(Number((await row(fields.id)).has_correction)).toBe(1);
    expect(Number((await row(empty.id)).has_correction)).toBe(0);
  });

  it('refuses a criterion that is not a name, and U+0000 in it like in every text column', async () => {
    const { sync } = await setup();
    const [bad, nul] = await sync([upsert(makeFeedback({ criterion: 'Task Quality' })), upsert(makeFeedback({ criterion: 'a\u0000' }))]);
    expect(bad).toMatchObject({ status: 'rejected', error: expect.stringMatching(/criterion: must be lowercase/) });
    expect(nul).toMatchObject({ status: 'rejected', error: expect.stringMatching(/criterion/) });
  });

  it('a delete of an id this server never saw leaves a blank tombstone', async () => {
    const { sync, row } = await setup();
    const id = makeFeedback().id;
    expect(await sync([{ id, op: 'delete', updatedAt: '2026-01-02T00:00:00.000Z' }])).toEqual([{ id, status: 'applied' }]);
    expect(await row(id)).toMatchObject({ deleted: 1, record: null, target_key: '', kind: 'other', criterion: 'overall', content_hash: 'deleted' });
    expect(Number((await row(id)).has_correction)).toBe(0);
  });
});
