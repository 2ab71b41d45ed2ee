/**
 * Issue 13, item 2: what an erasure (and the deletion of one record) leaves behind. Every string
 * of the erased rater is looked for in every table, in the zero-count rollup rows, and on SQLite in
 * the raw bytes of the database file and its WAL — where freed pages and cells keep old text
 * unless deletes zero them (PRAGMA secure_delete) on every write path, not only during the erasure.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const any = (db: unknown) => db as Kysely<any>;

/**
 * Every table's rows as text, to look for a string anywhere in the store — but the audit log,
 * which records the erasure itself and names the erased rater by id (issue 13, item 10; checked
 * on its own below).
 */
async function dump(db: Kysely<any>, schema?: string): Promise<string> {
  const tables = (await db.introspection.getTables()).filter((t) => (!schema || t.schema === schema) && t.name !== 'audit_log');
  let out = '';
  for (const t of tables) out += `${t.name}:${JSON.stringify(await db.selectFrom(t.name).selectAll().execute())}\n`;
  return out;
}

/** The strings named by `strings` found in the store's file or WAL (SQLite; nothing to read on PostgreSQL). */
function inFiles(location: string, strings: Record<string, string>): string[] {
  const found: string[] = [];
  for (const f of [location, `${location}-wal`]) {
    if (!fs.existsSync(f)) continue;
    const bytes = fs.readFileSync(f);
    for (const [name, s] of Object.entries(strings)) if (bytes.includes(Buffer.from(s))) found.push(`${name} in ${f.endsWith('-wal') ? 'the WAL' : 'the file'}`);
  }
  return found;
}

function occurrences(bytes: Buffer, text: string): number {
  const needle = Buffer.from(text);
  let n = 0;
  for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + needle.length)) n++;
  return n;
}

async function setup() {
  const t = await createTestApp();
  closers.push(() => t.store.close());
  const admin = await t.token('admin');
  const bob = await t.token('rater', { name: 'bob' });
  return { ...t, admin, bob };
}

describe('erase-rater leaves nothing of the rater behind', () => {
  it('no row names them (zero-count rollup rows included), and the SQLite file and WAL hold none of their strings', async () => {
    const t = await setup();
    const tag = randomBytes(4).toString('hex');
    const s = {
      raterId: `rater-Quokka${tag}`,
      prompt: `Prompt-Wallaby${tag}`,
      output: `Output-Numbat${tag}`,
      comment: `Comment-Bilby${tag}`,
      edited: `Edited-Dingo${tag}`,
      conversationId: `conv-Possum${tag}`,
      targetKey: `chatgpt:key-Echidna${tag}`,
      clientId: `client-Dunnart${tag}`,
      tokenName: `Token-Potoroo${tag}`,
    };
    // The search index folds case: its tokens are the lower-case words.
    const searchTokens = { 'search token of the prompt': `wallaby${tag}`, 'search token of the comment': `bilby${tag}` };
    const alice = await t.token('rater', { raterId: s.raterId, name: s.tokenName });
    const aliceTablet = await t.token('rater', { raterId: s.raterId, name: `${s.tokenName}-tablet` });

    // Long text spills into overflow pages; several records, a re-vote from a second device, an
    // edit and a deletion free cells and pages before the erasure ever runs.
    const long = (text: string) => `${text} ${'lorem ipsum '.repeat(600)}`;
    const target = (n: number) => ({
      kind: 'chat_response', key: `${s.targetKey}-${n}`, site: 'chatgpt', model: 'gpt-5', conversationId: s.conversationId,
      prompt: long(s.prompt), output: long(s.output),
    });
    const a1 = makeFeedback({ target: target(1), rating: { thumb: 'down' }, comment: s.comment });
    const a2 = makeFeedback({ target: target(2), rating: { stars: 2 }, comment: s.comment });
    const a3 = makeFeedback({ target: target(3), rating: { thumb: 'up' }, comment: s.comment });
    const sync = await t.call(alice.token, 'POST', '/v1/sync', { clientId: s.clientId, mutations: [upsert(a1), upsert(a2), upsert(a3)] });
    expect(sync.status).toBe(200);
    expect((await t.call(alice.token, 'PATCH', `/v1/feedback/${a1.id}`, { comment: s.edited })).status).toBe(200);
    expect((await t.call(alice.token, 'DELETE', `/v1/feedback/${a3.id}`)).status).toBe(200);
    const revote = makeFeedback({ target: target(2), rating: { stars: 4 }, comment: s.edited, updatedAt: new Date(Date.parse(a2.updatedAt) + 1000).toISOString() });
    const second = await t.call(aliceTablet.token, 'POST', '/v1/sync', { clientId: `${s.clientId}-tablet`, mutations: [upsert(revote)] });
    expect((await second.json()).results[0].status).toBe('applied');
    // Bob stays, in the same conversation-free corner of the store.
    await t.call(t.bob.token, 'POST', '/v1/sync', { clientId: 'bob', mutations: [upsert(makeFeedback({ comment: 'bob keeps this' }))] });
    expect(await dump(any(t.store.db), t.store.schema)).toContain(s.conversationId);

    const res = await t.call(t.admin.token, 'DELETE', `/v1/raters/${s.raterId}`);
    expect(res.status).toBe(200);

    const after = await dump(any(t.store.db), t.store.schema);
    for (const [name, value] of Object.entries(s)) expect(after.includes(value), `${name} (${value}) is still in a row`).toBe(false);
    expect(after).toContain('bob keeps this');
    // No rollup row the erasure emptied is kept.
    for (const table of ['rollup_daily', 'rollup_members', 'rollup_targets']) {
      const zero = await any(t.store.db).selectFrom(table).selectAll().where('n', '=', 0).execute();
      expect(zero, `${table} rows with n = 0`).toEqual([]);
    }
    // The audit log may name them by id, in the entry of the erasure only, with nothing else of theirs.
    const tables = (await t.store.db.introspection.getTables()).filter((x) => !t.store.schema || x.schema === t.store.schema);
    const audit = tables.some((x) => x.name === 'audit_log')
      ? (await any(t.store.db).selectFrom('audit_log').selectAll().execute()).filter((r) => JSON.stringify(r).includes(s.raterId))
      : [];
    for (const entry of audit) {
      expect(entry, 'an audit entry naming the erased rater').toMatchObject({ action: 'rater.erased', target_id: s.raterId });
      const { raterId: _id, ...rest } = s;
      for (const [name, value] of Object.entries(rest)) expect(JSON.stringify(entry).includes(value), `${name} in the audit log`).toBe(false);
    }
    if (t.store.dialect === 'sqlite') {
      expect(fs.existsSync(t.store.location)).toBe(true);
      const { raterId, ...others } = s;
      expect(inFiles(t.store.location, { ...others, ...searchTokens, ...(audit.length ? {} : { raterId }) })).toEqual([]);
      if (audit.length) {
        // Her id is in the file exactly as often as the audit entries hold it: no freed copy besides.
        await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.store.db);
        const held = audit.reduce((sum, entry) => sum + occurrences(Buffer.from(Object.values(entry).join('\u0000')), raterId), 0);
        expect(occurrences(fs.readFileSync(t.store.location), raterId), 'copies of the rater id in the file').toBe(held);
      }
    }
    expect(await (await t.call(t.admin.token, 'GET', '/v1/feedback')).json()).toMatchObject({ items: [{ comment: 'bob keeps this' }] });
  });
});

describe('deleting one record', () => {
  async function deletedOne(how: 'route' | 'sync') {
    const t = await setup();
    const tag = randomBytes(4).toString('hex');
    const text = {
      prompt: `Prompt-Wallaby${tag}`,
      output: `Output-Numbat${tag}`,
      earlier: `Earlier-Quoll${tag}`,
      comment: `Comment-Bilby${tag}`,
      edited: `Edited-Dingo${tag}`,
      correction: `Correction-Wombat${tag}`,
      alternative: `Alternative-Galah${tag}`,
      url: `https://chatgpt.com/c/Kookaburra${tag}`,
    };
    const rater = await t.token('rater');
    const f = makeFeedback({
      target: {
        kind: 'chat_response', key: `chatgpt:msg-${tag}`, site: 'chatgpt', model: 'gpt-5', conversationId: `conv-${tag}`, url: text.url,
        prompt: `${text.prompt} ${'lorem ipsum '.repeat(600)}`, output: text.output, messages: [{ role: 'user', content: text.earlier }],
        alternatives: [text.alternative],
      },
      rating: { thumb: 'down' },
      comment: text.comment,
      correction: { output: text.correction },
      tags: ['kept-tag'],
    });
    expect((await t.call(rater.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(f)] })).status).toBe(200);
    const patched = await t.call(rater.token, 'PATCH', `/v1/feedback/${f.id}`, { comment: text.edited });
    expect(patched.status).toBe(200);
    const storedAt: string = (await patched.json()).feedback.updatedAt;
    if (how === 'route') {
      expect((await t.call(rater.token, 'DELETE', `/v1/feedback/${f.id}`)).status).toBe(200);
    } else {
      const del = { id: f.id, op: 'delete', updatedAt: new Date(Date.parse(storedAt) + 1000).toISOString() };
      const res = await (await t.call(rater.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [del] })).json();
      expect(res.results[0].status).toBe('applied');
    }
    return { t, f, text, rater, tag };
  }

  for (const how of ['route', 'sync'] as const) {
    it(`(${how === 'route' ? 'DELETE /v1/feedback/:id' : 'a delete through /v1/sync'}) keeps a tombstone without its text, and no event keeps the text either`, async () => {
      const { t, f, text, rater, tag } = await deletedOne(how);
      const row = await t.store.db.selectFrom('feedback').selectAll().where('id', '=', f.id).executeTakeFirstOrThrow();
      expect(row.deleted).toBe(1);
      const stored = JSON.stringify(row);
      for (const [name, value] of Object.entries(text)) expect(stored.includes(value), `the tombstone keeps the ${name}`).toBe(false);
      const events = JSON.stringify(await t.store.db.selectFrom('feedback_events').selectAll().where('feedback_id', '=', f.id).execute());
      for (const [name, value] of Object.entries(text)) expect(events.includes(value), `an event keeps the ${name}`).toBe(false);
      const everything = await dump(any(t.store.db), t.store.schema);
      for (const [name, value] of Object.entries(text)) expect(everything.includes(value), `the store keeps the ${name}`).toBe(false);
      for (const table of ['rollup_daily', 'rollup_members', 'rollup_targets']) {
        expect(await any(t.store.db).selectFrom(table).selectAll().where('n', '=', 0).execute(), `${table} rows with n = 0`).toEqual([]);
      }
      if (t.store.dialect === 'sqlite') {
        // Once the WAL is written back, the file holds no freed copy of the text (nor the search index's tokens).
        await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.store.db);
        expect(inFiles(t.store.location, { ...text, 'search token': `wallaby${tag}` })).toEqual([]);
      }
      // Other devices of the rater still learn of the deletion: the tombstone says which target it was.
      const list = await (await t.call(rater.token, 'GET', `/v1/feedback?conversationId=conv-${tag}&includeDeleted=true`)).json();
      expect(list.items).toHaveLength(1);
      expect(list.items[0]).toMatchObject({ id: f.id, deleted: true, target: { key: f.target.key, conversationId: `conv-${tag}`, site: 'chatgpt' } });
      expect((await t.call(rater.token, 'GET', `/v1/feedback/${f.id}`)).status).toBe(404);
    });
  }

  it('a record deleted and written again in one batch keeps the text of its new version only', async () => {
    const t = await setup();
    const rater = await t.token('rater');
    const f = makeFeedback({ comment: 'first words' });
    const at = (ms: number) => new Date(Date.parse(f.updatedAt) + ms).toISOString();
    const again = { ...f, comment: 'second words', updatedAt: at(2000) };
    const res = await t.call(rater.token, 'POST', '/v1/sync', {
      clientId: 'c',
      mutations: [upsert(f), { id: f.id, op: 'delete', updatedAt: at(1000) }, upsert(again)],
    });
    expect((await res.json()).results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied', 'applied']);
    const read = await (await t.call(rater.token, 'GET', `/v1/feedback/${f.id}`)).json();
    expect(read.comment).toBe('second words');
    const everything = await dump(any(t.store.db), t.store.schema);
    expect(everything).not.toContain('first words');
    expect(everything).toContain('second words');
  });
});
