/**
 * Issue 13, item 7: record and event ids are unique per workspace. The same client-chosen id may
 * live in two workspaces, each reading its own; and whatever a token of workspace A does with an id
 * that workspace B uses, it gets exactly the answers it would get for an id nobody ever used — so
 * it neither learns that B's row exists nor takes the id away from B.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup() {
  const t = await createTestApp();
  closers.push(() => t.store.close());
  const a = { rater: await t.token('rater', { workspaceId: 'ws-a' }), admin: await t.token('admin', { workspaceId: 'ws-a' }) };
  const b = { rater: await t.token('rater', { workspaceId: 'ws-b' }), admin: await t.token('admin', { workspaceId: 'ws-b' }) };
  return { ...t, a, b };
}

type T = Awaited<ReturnType<typeof setup>>;

/** Status and body of an answer, with `id` written as ID so answers about two ids compare. */
async function answer(res: Response, id: string) {
  const text = await res.text();
  return { status: res.status, body: text.split(id).join('ID').replace(/"serverTime":"[^"]+"/, '"serverTime":"T"') };
}

const sync = (t: T, token: string, mutations: unknown[]) => t.call(token, 'POST', '/v1/sync', { clientId: 'c', mutations });

describe('record ids are unique per workspace', () => {
  it('accepts the same id in two workspaces; each reads, edits, lists, searches, exports and deletes its own', async () => {
    const t = await setup();
    const id = uuidv7();
    const target = (bird: string) => ({ kind: 'chat_response', key: 'chatgpt:msg-1', site: 'chatgpt', model: 'gpt-5', prompt: `Tell me of the ${bird}`, output: `The ${bird} is a bird.` });
    const fa = makeFeedback({ id, target: target('flamingo'), rating: { thumb: 'up' }, comment: 'flamingo from workspace a' });
    const fb = makeFeedback({ id, target: target('pelican'), rating: { thumb: 'down' }, comment: 'pelican from workspace b' });
    for (const [token, f] of [[t.a.rater.token, fa], [t.b.rater.token, fb]] as const) {
      const res = await sync(t, token, [upsert(f)]);
      expect((await res.json()).results).toEqual([{ id, status: 'applied' }]);
    }
    const readA = await (await t.call(t.a.rater.token, 'GET', `/v1/feedback/${id}`)).json();
    const readB = await (await t.call(t.b.rater.token, 'GET', `/v1/feedback/${id}`)).json();
    expect(readA).toMatchObject({ id, comment: 'flamingo from workspace a', rating: { thumb: 'up' }, workspaceId: 'ws-a' });
    expect(readB).toMatchObject({ id, comment: 'pelican from workspace b', rating: { thumb: 'down' }, workspaceId: 'ws-b' });

    // A replay is unchanged in each workspace; a newer version moves only its own workspace's record.
    expect((await (await sync(t, t.b.rater.token, [upsert(fb)])).json()).results[0].status).toBe('unchanged');
    const patched = await t.call(t.a.rater.token, 'PATCH', `/v1/feedback/${id}`, { comment: 'flamingo, edited' });
    expect(patched.status).toBe(200);
    expect((await (await t.call(t.b.rater.token, 'GET', `/v1/feedback/${id}`)).json()).comment).toBe('pelican from workspace b');

    const list = async (token: string) => (await (await t.call(token, 'GET', '/v1/feedback')).json()).items.map((f: { comment: string }) => f.comment);
    expect(await list(t.a.admin.token)).toEqual(['flamingo, edited']);
    expect(await list(t.b.admin.token)).toEqual(['pelican from workspace b']);
    const search = async (token: string, q: string) => (await (await t.call(token, 'GET', `/v1/search?q=${q}`)).json()).hits.length;
    expect([await search(t.a.admin.token, 'flamingo'), await search(t.a.admin.token, 'pelican')]).toEqual([1, 0]);
    expect([await search(t.b.admin.token, 'flamingo'), await search(t.b.admin.token, 'pelican')]).toEqual([0, 1]);
    for (const format of ['jsonl', 'weighted']) {
      const exportA = await (await t.call(t.a.admin.token, 'GET', `/v1/exports/${format}?all=true`)).text();
      const exportB = await (await t.call(t.b.admin.token, 'GET', `/v1/exports/${format}?all=true`)).text();
      expect(exportA, format).not.toContain('pelican');
      expect(exportB, format).not.toContain('flamingo');
      expect(exportB, format).toContain('pelican');
    }

    // Deleting in A leaves B's record, its search entry and its figures alone.
    expect((await t.call(t.a.rater.token, 'DELETE', `/v1/feedback/${id}`)).status).toBe(200);
    expect((await t.call(t.a.rater.token, 'GET', `/v1/feedback/${id}`)).status).toBe(404);
    expect((await (await t.call(t.b.rater.token, 'GET', `/v1/feedback/${id}`)).json()).comment).toBe('pelican from workspace b');
    expect(await search(t.b.admin.token, 'pelican')).toBe(1);
    const events = await t.store.db.selectFrom('feedback_events').select(['workspace_id', 'op']).where('feedback_id', '=', id).orderBy('id').execute();
    expect(events.filter((e) => e.workspace_id === 'ws-b').map((e) => e.op)).toEqual(['create']);
    expect(events.filter((e) => e.workspace_id === 'ws-a').map((e) => e.op)).toEqual(['create', 'update', 'delete']);

    // Erasing A's rater takes A's record and leaves B's.
    expect((await t.call(t.a.admin.token, 'DELETE', `/v1/raters/${t.a.rater.info.raterId}`)).status).toBe(200);
    expect((await (await t.call(t.b.rater.token, 'GET', `/v1/feedback/${id}`)).json()).comment).toBe('pelican from workspace b');
  });

  it("answers workspace A about workspace B's id exactly as about an id nobody used", async () => {
    const t = await setup();
    const taken = uuidv7();
    const fresh = uuidv7();
    const original = makeFeedback({ id: taken, comment: 'b owns this' });
    expect((await (await sync(t, t.b.rater.token, [upsert(original)])).json()).results[0].status).toBe('applied');

    const tries: [string, (id: string) => Response | Promise<Response>][] = [
      ['GET', (id) => t.call(t.a.admin.token, 'GET', `/v1/feedback/${id}`)],
      ['PATCH', (id) => t.call(t.a.rater.token, 'PATCH', `/v1/feedback/${id}`, { comment: 'mine now' })],
      ['PUT', (id) => t.call(t.a.rater.token, 'PUT', `/v1/feedback/${id}`, { rating: 1 })],
      ['DELETE', (id) => t.call(t.a.admin.token, 'DELETE', `/v1/feedback/${id}`)],
      ['sync upsert', (id) => sync(t, t.a.rater.token, [upsert(makeFeedback({ id, comment: 'mine now', createdAt: original.createdAt, updatedAt: original.updatedAt }))])],
      ['sync upsert, newer', (id) => sync(t, t.a.rater.token, [upsert(makeFeedback({ id, comment: 'mine, newer', updatedAt: new Date(Date.parse(original.updatedAt) + 5000).toISOString() }))])],
      ['sync replay of the same upsert', (id) => sync(t, t.a.rater.token, [upsert(makeFeedback({ id, comment: 'mine now', createdAt: original.createdAt, updatedAt: original.updatedAt }))])],
      ['sync delete', (id) => sync(t, t.a.rater.token, [{ id, op: 'delete', updatedAt: new Date(Date.parse(original.updatedAt) + 9000).toISOString() }])],
      ['POST /v1/feedback', (id) => t.call(t.a.rater.token, 'POST', '/v1/feedback', makeFeedback({ id, comment: 'posted' }))],
      ['GET after the writes', (id) => t.call(t.a.admin.token, 'GET', `/v1/feedback/${id}?format=native`)],
    ];
    for (const [what, run] of tries) {
      const onTaken = await answer(await run(taken), taken);
      const onFresh = await answer(await run(fresh), fresh);
      expect(onTaken, what).toEqual(onFresh);
    }
    // B's record is as B left it.
    const readB = await (await t.call(t.b.rater.token, 'GET', `/v1/feedback/${taken}`)).json();
    expect(readB).toMatchObject({ id: taken, comment: 'b owns this', workspaceId: 'ws-b', raterId: t.b.rater.info.raterId });
    expect((await (await t.call(t.b.rater.token, 'GET', '/v1/feedback')).json()).items).toHaveLength(1);
  });

  it('keeps "belongs to another rater" within a workspace', async () => {
    const t = await setup();
    const other = await t.token('rater', { workspaceId: 'ws-a' });
    const f = makeFeedback({ comment: 'first rater' });
    await sync(t, t.a.rater.token, [upsert(f)]);
    const newer = { ...f, comment: 'second rater', updatedAt: new Date(Date.parse(f.updatedAt) + 1000).toISOString() };
    const res = await (await sync(t, other.token, [upsert(newer), { id: f.id, op: 'delete', updatedAt: newer.updatedAt }])).json();
    expect(res.results).toEqual([
      { id: f.id, status: 'rejected', reason: 'owned_by_other_rater', error: 'this record belongs to another rater' },
      { id: f.id, status: 'rejected', reason: 'owned_by_other_rater', error: 'this record belongs to another rater' },
    ]);
    // The admin of the workspace may delete it; B's admin may not even see it.
    expect((await t.call(t.b.admin.token, 'DELETE', `/v1/feedback/${f.id}`)).status).toBe(404);
    expect((await (await sync(t, t.a.admin.token, [{ id: f.id, op: 'delete', updatedAt: newer.updatedAt }])).json()).results[0].status).toBe('applied');
  });
});

describe('trace event ids are unique per workspace', () => {
  it("appends the same client id in two workspaces; A's use of B's id answers as for a fresh id", async () => {
    const t = await setup();
    const id = uuidv7();
    const fresh = uuidv7();
    const ev = (extra: Record<string, unknown>) => ({ type: 'comment.added', investigationId: 'inv-1', subject: 'dag_a', ...extra });
    const post = (token: string, body: unknown) => t.call(token, 'POST', '/v1/events', body);
    expect((await (await post(t.b.admin.token, { events: [ev({ id, data: { text: 'from b' } })] })).json()).results).toEqual([{ id, status: 'appended' }]);
    for (const body of [(x: string) => ({ events: [ev({ id: x, data: { text: 'from a' } })] }), (x: string) => ev({ id: x, data: { text: 'from a' } })]) {
      const onTaken = await answer(await post(t.a.admin.token, body(id)), id);
      const onFresh = await answer(await post(t.a.admin.token, body(fresh)), fresh);
      expect(onTaken).toEqual(onFresh);
    }
    const read = async (token: string) => (await (await t.call(token, 'GET', '/v1/events')).json()).events.map((e: { id: string; data: unknown }) => [e.id, e.data]);
    expect(await read(t.b.admin.token)).toEqual([[id, { text: 'from b' }]]);
    expect(await read(t.a.admin.token)).toEqual([[id, { text: 'from a' }], [fresh, { text: 'from a' }]]);
  });
});
