/**
 * SQLite's lexical batches (search/lexical-jobs.ts, runLexicalTaken): due jobs are taken, indexed
 * and completed in one transaction with prepared statements, without a lease. SQLite only (the
 * store is opened here, not by openTestStore): PostgreSQL claims with a lease, as lexical.test.ts
 * and the multi-server durability test cover.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeFeedback, tempDir, upsert } from '../../test/helpers/app.ts';
import { applyMutations, type Actor } from '../store/feedback.ts';
import { openStore, type Store } from '../store/open.ts';
import { ensureWorkspace } from '../store/tokens.ts';
import { searchBackendFor } from './index.ts';
import { runLexicalBatch } from './lexical-jobs.ts';

const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

const actor: Actor = { workspaceId: 'default', raterId: 'rater_a', role: 'rater', tokenId: null, clientId: 'c1' };

async function store() {
  const s = await openStore({ dataDir: tempDir('gt-lexical-sqlite-') });
  stores.push(s);
  await ensureWorkspace(s.db, 'default');
  return s;
}

const queued = (s: Store) => s.sqlite!.prepare("select ref, seq, attempts, next_attempt_at, last_error from work_queue where kind = 'lexical' order by ref").all() as {
  ref: string; seq: number; attempts: number; next_attempt_at: string; last_error: string | null;
}[];
const indexed = async (s: Store, q: string) => (await searchBackendFor(s.db).search(s.db, 'default', q, { limit: 50 })).map((h) => h.id).sort();

function fb(comment: string) {
  return { ...makeFeedback(), comment };
}

describe('lexical batches on SQLite', () => {
  it('index the queued records and leave no job behind, leased or not; an edit is indexed once, as it is now', async () => {
    const s = await store();
    const a = fb('the cormorant dives');
    const b = fb('the heron waits');
    await applyMutations(s.db, actor, [upsert(a), upsert(b)]);
    const edited = { ...a, comment: 'the cormorant surfaces', updatedAt: new Date(Date.parse(a.updatedAt) + 1000).toISOString() };
    await applyMutations(s.db, actor, [upsert(edited)]);
    expect(queued(s).map((j) => [j.ref, j.seq])).toEqual([[a.id, 2], [b.id, 1]].sort());
    const jobs = await runLexicalBatch(s.db);
    expect(jobs.map((j) => j.ref).sort()).toEqual([a.id, b.id].sort());
    expect(queued(s)).toEqual([]);
    expect(await indexed(s, 'cormorant')).toEqual([a.id]);
    expect(await indexed(s, 'surfaces')).toEqual([a.id]);
    expect(await indexed(s, 'dives')).toEqual([]);
    expect(await indexed(s, 'heron')).toEqual([b.id]);
    expect((await runLexicalBatch(s.db)).length).toBe(0);
  });

  it('takes at most a batch, oldest first', async () => {
    const s = await store();
    const records = Array.from({ length: 5 }, (_, i) => fb(`grebe number${i}`));
    for (const r of records) await applyMutations(s.db, actor, [upsert(r)]);
    const first = await runLexicalBatch(s.db, 3);
    expect(first.map((j) => j.ref)).toEqual(records.slice(0, 3).map((r) => r.id));
    expect(queued(s).map((j) => j.ref)).toEqual(records.slice(3).map((r) => r.id).sort());
    expect((await runLexicalBatch(s.db, 3)).length).toBe(2);
    expect(await indexed(s, 'grebe')).toEqual(records.map((r) => r.id).sort());
  });

  it('a batch that fails is rolled back whole and its jobs put back for later with the error; the next run indexes them', async () => {
    const s = await store();
    const a = fb('the avocet sweeps');
    await applyMutations(s.db, actor, [upsert(a)]);
    s.sqlite!.exec("create temp trigger broken_index before insert on search_docs begin select raise(abort, 'index is broken'); end");
    const before = Date.now();
    await expect(runLexicalBatch(s.db)).rejects.toThrow(/index is broken/);
    const [job] = queued(s);
    expect(job).toMatchObject({ ref: a.id, attempts: 1, last_error: 'index is broken' });
    expect(Date.parse(job!.next_attempt_at)).toBeGreaterThanOrEqual(before + 5000); // RETRY_MS
    expect(s.sqlite!.prepare('select count(*) from search_docs').pluck().get()).toBe(0);
    expect((await runLexicalBatch(s.db)).length).toBe(0); // not due yet
    s.sqlite!.exec('drop trigger broken_index');
    s.sqlite!.prepare("update work_queue set next_attempt_at = '2000-01-01T00:00:00.000Z'").run();
    expect((await runLexicalBatch(s.db)).map((j) => j.ref)).toEqual([a.id]);
    expect(queued(s)).toEqual([]);
    expect(await indexed(s, 'avocet')).toEqual([a.id]);
  });
});
