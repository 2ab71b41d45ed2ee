/**
 * Erasure and retention through the API, checked where the data could hide: the records, the
 * event log, rollups, the search index, webhook deliveries, items, notes — and the bytes of the
 * SQLite file itself.
 */
import fs from 'node:fs';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { purgeOlderThan } from './erase.ts';
import { FORMAT_NAMES } from '../exports/formats/index.ts';
import { rebuildRollups } from '../insights/rollups.ts';
import { siteVisit } from '../../test/helpers/site-visits.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup() {
  // The webhooks below point at 127.0.0.1 (never sent to here), which needs private addresses allowed.
  const t = await createTestApp({ webhookAddresses: { allowPrivate: true, allowedHosts: [] } });
  closers.push(() => t.store.close());
  const admin = await t.token('admin', { name: 'the-admin' });
  const alice = await t.token('rater', { name: 'Alice Example' });
  const bob = await t.token('rater', { name: 'bob' });
  return { ...t, admin, alice, bob };
}

const any = (db: unknown) => db as Kysely<any>;

/**
 * Every table's rows as text, to look for a string anywhere in the store — but the audit log,
 * whose entry of an erasure names the erased rater by id (and only that: checked apart).
 */
async function dump(db: Kysely<any>, schema?: string): Promise<string> {
  const tables = (await db.introspection.getTables()).filter((t) => (!schema || t.schema === schema) && t.name !== 'audit_log');
  let out = '';
  for (const t of tables) out += `${t.name}:${JSON.stringify(await db.selectFrom(t.name).selectAll().execute())}\n`;
  return out;
}

async function rollupSnapshot(db: Kysely<any>) {
  const daily = await db.selectFrom('rollup_daily').selectAll().where('n', '!=', 0).orderBy('day').orderBy('model').orderBy('site').execute();
  const members = await db.selectFrom('rollup_members').selectAll().where('n', '!=', 0).orderBy('facet').orderBy('day').orderBy('value').execute();
  const targets = await db.selectFrom('rollup_targets').selectAll().where('n', '!=', 0).orderBy('target_key').orderBy('model').execute();
  return { daily, members, targets };
}

describe('erasure of one rater', () => {
  it('leaves no trace of them in records, events, rollups, search, deliveries, items, notes or the file, and keeps everyone else', async () => {
    const t = await setup();
    const secretText = 'Zanzibar-alice-wrote-this-7731';
    const alice = t.alice.info.raterId;
    const bob = t.bob.info.raterId;

    // Alice: votes, a re-vote, a deletion, a comment with distinctive text, on a target Bob also rated.
    const shared = `chatgpt:msg-shared`;
    const a1 = makeFeedback({ rating: { thumb: 'down' }, comment: `${secretText} comment` });
    const a2 = makeFeedback({ target: { kind: 'chat_response', key: shared, site: 'chatgpt', model: 'gpt-5', conversationId: 'conv-alice', prompt: `${secretText} prompt`, output: 'answer' }, rating: { stars: 2 } });
    const a3 = makeFeedback({ rating: { thumb: 'up' } });
    const b1 = makeFeedback({ target: { kind: 'chat_response', key: shared, site: 'chatgpt', model: 'gpt-5', conversationId: 'conv-bob', prompt: 'bob prompt', output: 'answer' }, rating: { stars: 5 } });
    const b2 = makeFeedback({ rating: { thumb: 'down' }, comment: 'bob keeps this' });

    // Bob's baseline: rollups with Bob alone, to compare after erasing Alice.
    const solo = await createTestApp();
    closers.push(() => solo.store.close());
    const soloBob = await solo.token('rater', { raterId: bob });
    await solo.call(soloBob.token, 'POST', '/v1/sync', { clientId: 'b', mutations: [upsert(b1), upsert(b2)] });

    const hook = await (await t.call(t.admin.token, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['feedback.negative', 'feedback.low_stars'] })).json();
    expect((await t.call(t.alice.token, 'POST', '/v1/sync', { clientId: 'alice-laptop', mutations: [upsert(a1), upsert(a2), upsert(a3)] })).status).toBe(200);
    expect((await t.call(t.alice.token, 'PATCH', `/v1/feedback/${a1.id}`, { comment: `${secretText} edited` })).status).toBe(200);
    expect((await t.call(t.alice.token, 'DELETE', `/v1/feedback/${a3.id}`)).status).toBe(200);
    await t.call(t.bob.token, 'POST', '/v1/sync', { clientId: 'b', mutations: [upsert(b1), upsert(b2)] });
    // Items and a trace that Alice's token sent, and a note she wrote.
    const item = await t.call(t.alice.token, 'POST', '/v1/items', {
      items: [{ key: 'run-1', kind: 'error_analysis', subject: 'dag_a', output: `${secretText} item` }],
    });
    expect(item.status, await item.clone().text()).toBeLessThan(300);
    const trace = await t.call(t.alice.token, 'POST', '/v1/events', {
      events: [{ type: 'comment.added', investigationId: 'inv-1', subject: 'dag_a', data: { text: `${secretText} trace` } }],
    });
    expect(trace.status, await trace.clone().text()).toBeLessThan(300);
    await any(t.store.db)
      .insertInto('subject_notes')
      .values({ id: 'note-a', workspace_id: 'default', subject: 'dag_a', body: `${secretText} note`, author_rater_id: alice, author_name: 'Alice Example', created_at: new Date().toISOString() })
      .execute();
    await any(t.store.db).insertInto('subject_notes').values({ id: 'note-b', workspace_id: 'default', subject: 'dag_a', body: 'bob note', author_rater_id: bob, author_name: 'bob', created_at: new Date().toISOString() }).execute();
    // An admin deleting Bob's record leaves an event whose actor is the admin (kept after erasing the admin? not here).

    expect(await dump(any(t.store.db), t.store.schema)).toContain(secretText);
    const exportAll = async (format: string) => (await t.call(t.admin.token, 'GET', `/v1/exports/${format}?all=true`)).text();
    expect(await exportAll('jsonl')).toContain(secretText);
    expect((await (await t.call(t.admin.token, 'GET', '/v1/search?q=Zanzibar')).json()).hits.length).toBeGreaterThan(0);
    const deliveriesBefore = await any(t.store.db).selectFrom('webhook_deliveries').select('rater_id').execute();
    expect(deliveriesBefore.map((d) => d.rater_id)).toContain(alice);

    // Only admins erase.
    expect((await t.call(t.bob.token, 'DELETE', `/v1/raters/${alice}`)).status).toBe(403);
    const res = await t.call(t.admin.token, 'DELETE', `/v1/raters/${alice}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ raterId: alice, erased: { feedback: 3, tokens: 1, items: 1, traceEvents: 1, notes: 1 } });
    expect(body.erased.events).toBeGreaterThanOrEqual(5);
    expect(body.erased.deliveries).toBe(2);

    // Nothing of Alice anywhere in the store: not her id, not her token's name, not her text.
    const after = await dump(any(t.store.db), t.store.schema);
    expect(after).not.toContain(secretText);
    expect(after).not.toContain(alice);
    expect(after).not.toContain('Alice Example');
    expect(after).not.toContain('alice-laptop');
    const audit = (await any(t.store.db).selectFrom('audit_log').selectAll().execute()).filter((r) => JSON.stringify(r).includes(alice));
    expect(audit.map((r) => r.action)).toEqual(['rater.erased']);
    expect(JSON.stringify(audit)).not.toContain('Alice Example');
    // Not in the bytes of the file either (secure_delete, FTS merge and WAL checkpoint).
    if (t.store.dialect === 'sqlite') {
      const file = t.store.location;
      expect(fs.existsSync(file)).toBe(true);
      for (const f of [file, `${file}-wal`]) {
        if (!fs.existsSync(f)) continue;
        const bytes = fs.readFileSync(f);
        expect(bytes.includes(Buffer.from(secretText)), f).toBe(false);
        // The search index keeps tokens, folded to lower case: look for one of hers too.
        expect(bytes.includes(Buffer.from('zanzibar')), `${f} (search tokens)`).toBe(false);
      }
    }
    // No export, in any format, carries anything of hers.
    for (const format of FORMAT_NAMES) {
      const body = await exportAll(format);
      expect(body, format).not.toContain(secretText);
      expect(body, format).not.toContain(alice);
    }
    expect(await exportAll('jsonl')).toContain('bob keeps this');
    // Search finds nothing of hers.
    const search = await t.call(t.admin.token, 'GET', '/v1/search?q=Zanzibar');
    expect(search.status).toBe(200);
    expect((await search.json()).hits).toEqual([]);

    // Alice's token no longer works; a second erasure finds nothing.
    expect((await t.call(t.alice.token, 'GET', '/v1/feedback')).status).toBe(401);
    expect((await t.call(t.admin.token, 'DELETE', `/v1/raters/${alice}`)).status).toBe(404);

    // Bob is untouched, and the rollups are exactly those of a store where only Bob ever voted.
    const bobs = await (await t.call(t.admin.token, 'GET', '/v1/feedback')).json();
    expect(bobs.items.map((f: { id: string }) => f.id).sort()).toEqual([b1.id, b2.id].sort());
    expect(await dump(any(t.store.db), t.store.schema)).toContain('bob note');
    expect(await rollupSnapshot(any(t.store.db))).toEqual(await rollupSnapshot(any(solo.store.db)));
    // …and equal a full recount.
    const live = await rollupSnapshot(any(t.store.db));
    await rebuildRollups(any(t.store.db));
    expect(await rollupSnapshot(any(t.store.db))).toEqual(live);
    // Bob's delivery survives in the webhook log.
    const log = await (await t.call(t.admin.token, 'GET', `/v1/webhooks/${hook.id}/deliveries`)).json();
    expect(log.items.map((d: { payload: { data: { feedback: { id: string } } } }) => d.payload.data.feedback.id)).toEqual([b2.id]);
  });

  it('keeps the record of what an erased admin did to others, with the actor replaced', async () => {
    const t = await setup();
    const b = makeFeedback();
    await t.call(t.bob.token, 'POST', '/v1/sync', { clientId: 'b', mutations: [upsert(b)] });
    expect((await t.call(t.admin.token, 'DELETE', `/v1/feedback/${b.id}`)).status).toBe(200);
    const admin2 = await t.token('admin');
    const res = await t.call(admin2.token, 'DELETE', `/v1/raters/${t.admin.info.raterId}`);
    expect((await res.json()).erased).toMatchObject({ feedback: 0, eventsPseudonymized: 1, tokens: 1 });
    const events = await t.store.db.selectFrom('feedback_events').selectAll().where('feedback_id', '=', b.id).orderBy('id').execute();
    expect(events.map((e) => [e.op, e.actor_rater_id])).toEqual([
      ['create', t.bob.info.raterId],
      ['delete', 'erased'],
    ]);
  });

  it('takes them out of review queues: their claims, their place among the assignees, their name on what they made', async () => {
    const t = await setup();
    const answer = makeFeedback();
    expect((await t.call(t.bob.token, 'POST', '/v1/feedback', answer)).status).toBe(201);
    const alice = t.alice.info.raterId;
    const made = await t.call(t.admin.token, 'POST', '/v1/queues', { name: 'q', filter: {}, assignees: [alice, t.bob.info.raterId] });
    expect(made.status).toBe(201);
    const queueId = ((await made.json()) as { id: string }).id;
    expect((await t.call(t.alice.token, 'POST', `/v1/queues/${queueId}/claims`)).status).toBe(200);
    const before = await any(t.store.db).selectFrom('queue_claims').select('rater_id').where('queue_id', '=', queueId).execute();
    expect(before.map((r) => r.rater_id)).toEqual([alice]);

    expect((await t.call(t.admin.token, 'DELETE', `/v1/raters/${alice}`)).status).toBe(200);
    expect(await any(t.store.db).selectFrom('queue_claims').selectAll().where('queue_id', '=', queueId).execute()).toEqual([]);
    const queue = await any(t.store.db).selectFrom('queues').select(['assignees', 'created_by']).where('id', '=', queueId).executeTakeFirstOrThrow();
    expect(JSON.parse(queue.assignees)).toEqual([t.bob.info.raterId]);
    expect(JSON.stringify(await any(t.store.db).selectFrom('queues').selectAll().execute())).not.toContain(alice);
    // Erasing the admin who made the queue leaves it, made by "erased".
    const admin2 = await t.token('admin');
    expect((await t.call(admin2.token, 'DELETE', `/v1/raters/${t.admin.info.raterId}`)).status).toBe(200);
    expect((await any(t.store.db).selectFrom('queues').select('created_by').where('id', '=', queueId).executeTakeFirstOrThrow()).created_by).toBe('erased');
  });
});

describe('rater export', () => {
  it('gives a rater (or an admin) all of their data, and nobody else', async () => {
    const t = await setup();
    const a = makeFeedback({ comment: 'mine' });
    const gone = makeFeedback();
    await t.call(t.alice.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(a), upsert(gone)] });
    await t.call(t.alice.token, 'DELETE', `/v1/feedback/${gone.id}`);
    await t.call(t.bob.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(makeFeedback({ comment: 'not hers' }))] });
    const alice = t.alice.info.raterId;

    for (const token of [t.alice.token, t.admin.token]) {
      const res = await t.call(token, 'GET', `/v1/raters/${alice}/export`);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/application\/json/);
      const doc = await res.json();
      expect(doc).toMatchObject({ format: 'groundtruth-rater-export', raterId: alice, workspaceId: 'default' });
      expect(doc.tokens).toHaveLength(1);
      expect(doc.tokens[0]).toMatchObject({ id: t.alice.info.id, name: 'Alice Example' });
      expect(JSON.stringify(doc.tokens)).not.toContain(t.alice.token);
      expect(doc.feedback.map((f: { id: string }) => f.id).sort()).toEqual([a.id, gone.id].sort());
      expect(doc.feedback.find((f: { id: string }) => f.id === a.id).comment).toBe('mine');
      expect(doc.events.map((e: { op: string }) => e.op).sort()).toEqual(['create', 'create', 'delete']);
      expect(JSON.stringify(doc)).not.toContain('not hers');
      for (const key of ['items', 'traceEvents', 'notes']) expect(doc[key]).toEqual([]);
    }
    expect((await t.call(t.bob.token, 'GET', `/v1/raters/${alice}/export`)).status).toBe(403);
    const analyst = await t.token('analyst');
    expect((await t.call(analyst.token, 'GET', `/v1/raters/${alice}/export`)).status).toBe(403);
    expect((await t.call(t.admin.token, 'GET', '/v1/raters/rater_nobody/export')).status).toBe(404);
    // Another workspace's admin cannot reach her.
    const other = await t.token('admin', { workspaceId: 'other' });
    expect((await t.call(other.token, 'GET', `/v1/raters/${alice}/export`)).status).toBe(404);
    expect((await t.call(other.token, 'DELETE', `/v1/raters/${alice}`)).status).toBe(404);
  });
});

describe('retention', () => {
  it('purges feedback (and its events, rollups, deliveries) older than the cutoff and nothing newer', async () => {
    const t = await setup();
    const old = makeFeedback({ createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', rating: { thumb: 'down' }, comment: 'old-text-4471' });
    const oldGone = makeFeedback({ createdAt: '2024-01-02T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z' });
    const recent = makeFeedback({ createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
    await t.call(t.admin.token, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['feedback.negative'] });
    await t.call(t.alice.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(old), upsert(oldGone), upsert(recent)] });
    await t.call(t.alice.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [{ id: oldGone.id, op: 'delete', updatedAt: '2024-02-01T00:00:00.000Z' }] });

    const cutoff = new Date(Date.now() - 365 * 86_400_000);
    const dry = await purgeOlderThan(t.store.db, { before: cutoff, dryRun: true });
    expect(dry.feedback).toBe(2);
    expect(await t.store.db.selectFrom('feedback').select('id').execute()).toHaveLength(3);

    const report = await purgeOlderThan(t.store.db, { before: cutoff });
    expect(report).toMatchObject({ feedback: 2, events: 3, deliveries: 1 });
    const ids = (await t.store.db.selectFrom('feedback').select('id').execute()).map((r) => r.id);
    expect(ids).toEqual([recent.id]);
    expect(await dump(any(t.store.db), t.store.schema)).not.toContain('old-text-4471');
    const live = await rollupSnapshot(any(t.store.db));
    expect(live.daily.reduce((s, r) => s + Number(r.n), 0)).toBe(1);
    await rebuildRollups(any(t.store.db));
    expect(await rollupSnapshot(any(t.store.db))).toEqual(live);
    // Idempotent.
    expect(await purgeOlderThan(t.store.db, { before: cutoff })).toMatchObject({ feedback: 0, events: 0 });
  });

  it("takes an erased rater's health visits with them, and purges old visits", async () => {
    const t = await setup();
    await t.call(t.alice.token, 'POST', '/v1/sync', { clientId: 'alice-laptop', mutations: [], health: [siteVisit()] });
    await t.call(t.bob.token, 'POST', '/v1/sync', { clientId: 'bob-laptop', mutations: [], health: [siteVisit(), siteVisit()] });
    const visits = () => any(t.store.db).selectFrom('site_visits').select(['client_id', 'received_at']).execute();
    expect(await visits()).toHaveLength(3);
    const erased = await t.call(t.admin.token, 'DELETE', `/v1/raters/${encodeURIComponent(t.alice.info.raterId)}`);
    expect(erased.status).toBe(200);
    expect((await visits()).map((v) => v.client_id)).toEqual(['bob-laptop', 'bob-laptop']);

    await purgeOlderThan(t.store.db, { before: new Date(Date.now() - 60_000) });
    expect(await visits()).toHaveLength(2);
    await purgeOlderThan(t.store.db, { before: new Date(Date.now() + 60_000) });
    expect(await visits()).toHaveLength(0);
  });

  it('is a per-workspace admin setting', async () => {
    const t = await setup();
    const initial = await (await t.call(t.admin.token, 'GET', '/v1/settings')).json();
    expect(initial).toEqual({ retentionDays: null, redactProgramText: true, knownConversationsOnly: false, lastPurgedAt: null, updatedAt: null });
    expect((await t.call(t.alice.token, 'GET', '/v1/settings')).status).toBe(403);
    expect((await t.call(t.alice.token, 'PATCH', '/v1/settings', { retentionDays: 1 })).status).toBe(403);
    expect((await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 0 })).status).toBe(422);
    expect((await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 30.5 })).status).toBe(422);
    expect((await t.call(t.admin.token, 'PATCH', '/v1/settings', { keepForever: true })).status).toBe(422);
    const set = await (await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: 365 })).json();
    expect(set).toMatchObject({ retentionDays: 365, redactProgramText: true });
    const off = await (await t.call(t.admin.token, 'PATCH', '/v1/settings', { redactProgramText: false })).json();
    expect(off).toMatchObject({ retentionDays: 365, redactProgramText: false });
    expect(await (await t.call(t.admin.token, 'PATCH', '/v1/settings', { retentionDays: null })).json()).toMatchObject({ retentionDays: null });
    const other = await t.token('admin', { workspaceId: 'other' });
    expect(await (await t.call(other.token, 'GET', '/v1/settings')).json()).toMatchObject({ retentionDays: null, redactProgramText: true });
  });
});
