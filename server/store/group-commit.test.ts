/**
 * Group commit (group-commit.ts): concurrent writes on SQLite share one transaction, each answered
 * after that transaction committed, with its own result; one write's failure is its own; a failed
 * COMMIT fails them all and applies none.
 */
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, tempDir, upsert } from '../../test/helpers/app.ts';
import { applyMutations } from './feedback.ts';
import { groupCommit, groupCommitPlanned, groupCommitStats } from './group-commit.ts';
import { openStore } from './open.ts';

async function sqliteStore() {
  const dataDir = tempDir('gt-group-');
  const store = await openStore({ dataDir });
  store.sqlite!.exec('create table probe (n integer primary key, note text)');
  // Another connection to the same file: what a reader (or another process) sees committed.
  const file = store.sqlite!.name;
  const other = new Database(file, { readonly: true });
  const committed = () => (other.prepare('select n from probe order by n').all() as { n: number }[]).map((r) => r.n);
  return { store, committed, close: async () => { other.close(); await store.close(); } };
}

describe('group commit on SQLite', () => {
  it('runs writes that arrive together in one transaction and answers each after COMMIT with its own result', async () => {
    const { store, committed, close } = await sqliteStore();
    try {
      const before = { ...groupCommitStats };
      const seenAtAnswer: number[][] = [];
      const writes = Array.from({ length: 10 }, (_, n) =>
        groupCommit(store.db, true, async (trx) => {
          await sql`insert into probe (n) values (${n})`.execute(trx);
          return n * 10;
        }).then((value) => {
          seenAtAnswer.push(committed());
          return value;
        }),
      );
      expect(await Promise.all(writes)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      // One group of ten: the first write waited one turn of the loop for the others.
      expect(groupCommitStats.groups - before.groups).toBe(1);
      expect(groupCommitStats.writes - before.writes).toBe(10);
      // Every answer came after COMMIT: another connection already saw all ten rows.
      for (const seen of seenAtAnswer) expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await close();
    }
  });

  it("rolls a failing write back to its savepoint: it gets its own error, the others commit", async () => {
    const { store, committed, close } = await sqliteStore();
    try {
      const results = await Promise.allSettled([1, 2, 3].map((n) =>
        groupCommit(store.db, true, async (trx) => {
          await sql`insert into probe (n) values (${n})`.execute(trx);
          if (n === 2) throw new Error('write 2 is refused');
          return n;
        }),
      ));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.message).toBe('write 2 is refused');
      expect(committed()).toEqual([1, 3]);
    } finally {
      await close();
    }
  });

  it('fails every write of a group whose COMMIT fails, and applies none of them', async () => {
    const { store, committed, close } = await sqliteStore();
    try {
      store.sqlite!.exec('create table parent (id integer primary key); create table child (id integer primary key, parent integer references parent(id))');
      const results = await Promise.allSettled([1, 2, 3].map((n) =>
        groupCommit(store.db, true, async (trx) => {
          await sql`insert into probe (n) values (${n})`.execute(trx);
          if (n === 2) {
            // A foreign key checked at COMMIT, not at the statement: the whole transaction fails there.
            await sql`pragma defer_foreign_keys = on`.execute(trx);
            await sql`insert into child (id, parent) values (1, 999)`.execute(trx);
          }
          return n;
        }),
      ));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
      expect(committed()).toEqual([]);
      // The connection is usable again: the next write commits alone.
      expect(await groupCommit(store.db, true, async (trx) => {
        await sql`insert into probe (n) values (7)`.execute(trx);
        return 'ok';
      })).toBe('ok');
      expect(committed()).toEqual([7]);
    } finally {
      await close();
    }
  });

  it('gives concurrent feedback writes of several raters their own results, in groups', async () => {
    const t = await createTestApp({ dataDir: tempDir('gt-group-app-') });
    try {
      const raters = await Promise.all([0, 1, 2, 3].map(() => t.token('rater')));
      const before = { ...groupCommitStats };
      const first = makeFeedback();
      // Rater 0 writes `first`; rater 1 then tries to overwrite the same id in the same group.
      const answers = await Promise.all([
        ...raters.map(({ info }, i) =>
          applyMutations(t.store.db, { workspaceId: info.workspaceId, raterId: info.raterId, tokenId: info.id, clientId: null, role: 'rater' }, [upsert(i === 0 ? first : makeFeedback())]),
        ),
        applyMutations(t.store.db, { workspaceId: raters[1]!.info.workspaceId, raterId: raters[1]!.info.raterId, tokenId: raters[1]!.info.id, clientId: null, role: 'rater' }, [
          upsert({ ...first, rating: { thumb: 'down' }, updatedAt: new Date(Date.UTC(2027, 0, 1)).toISOString() }),
        ]),
      ]);
      expect(answers.map((a) => a[0]!.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'rejected']);
      expect(answers[4]![0]!.reason).toBe('owned_by_other_rater');
      expect(groupCommitStats.writes - before.writes).toBe(5);
      expect(groupCommitStats.groups - before.groups).toBeLessThan(5);
      const rows = t.store.sqlite!.prepare('select id, rater_id, thumb from feedback order by id').all() as { id: string; rater_id: string; thumb: string }[];
      expect(rows).toHaveLength(4);
      expect(rows.find((r) => r.id === first.id)).toMatchObject({ rater_id: raters[0]!.info.raterId, thumb: 'up' });
    } finally {
      await t.store.close();
    }
  });

  it('writes the planned writes of a group with one flush: rows, events and rollups as if written one by one', async () => {
    const t = await createTestApp({ dataDir: tempDir('gt-group-merge-') });
    try {
      const raters = await Promise.all([0, 1, 2].map(() => t.token('rater')));
      const before = { ...groupCommitStats };
      const records = Array.from({ length: 12 }, (_, i) => makeFeedback({ rating: { thumb: i % 3 ? 'up' : 'down' } }));
      const answers = await Promise.all(records.map((f, i) => {
        const { info } = raters[i % 3]!;
        return applyMutations(t.store.db, { workspaceId: info.workspaceId, raterId: info.raterId, tokenId: info.id, clientId: null, role: 'rater' }, [upsert(f)]);
      }));
      expect(answers.map((a) => a[0]!.status)).toEqual(records.map(() => 'applied'));
      expect(groupCommitStats.writes - before.writes).toBe(12);
      // Twelve writes, fewer flushes: the group's rows went in together.
      expect(groupCommitStats.flushes - before.flushes).toBeLessThan(4);
      const db = t.store.sqlite!;
      expect(db.prepare('select count(*) n from feedback where deleted = 0').get()).toEqual({ n: 12 });
      expect(db.prepare('select count(*) n from feedback_events').get()).toEqual({ n: 12 });
      // The daily rollup counted every one of them, once.
      const rolled = db.prepare('select sum(n) n, sum(up) up, sum(down) down from rollup_daily').get();
      expect(rolled).toEqual({ n: 12, up: 8, down: 4 });
    } finally {
      await t.store.close();
    }
  });

  it('decides a write again when it meets a pending one of the same group (the same rater and target)', async () => {
    const t = await createTestApp({ dataDir: tempDir('gt-group-replan-') });
    try {
      const { info } = await t.token('rater');
      const actor = { workspaceId: info.workspaceId, raterId: info.raterId, tokenId: info.id, clientId: null, role: 'rater' as const };
      const before = { ...groupCommitStats };
      // Two devices rate the same answer at once with different ids: the newer vote is the live one.
      const older = makeFeedback({ rating: { thumb: 'up' }, updatedAt: new Date(Date.UTC(2026, 0, 1)).toISOString() });
      const newer = { ...makeFeedback({ rating: { thumb: 'down' } }), target: older.target, updatedAt: new Date(Date.UTC(2026, 0, 2)).toISOString() };
      const [a, b] = await Promise.all([applyMutations(t.store.db, actor, [upsert(older)]), applyMutations(t.store.db, actor, [upsert(newer)])]);
      expect([a[0]!.status, b[0]!.status]).toEqual(['applied', 'applied']);
      expect(groupCommitStats.replanned - before.replanned).toBeGreaterThanOrEqual(1);
      const rows = t.store.sqlite!.prepare('select id, deleted, thumb from feedback order by id').all();
      expect(rows).toEqual(expect.arrayContaining([{ id: older.id, deleted: 1, thumb: null }, { id: newer.id, deleted: 0, thumb: 'down' }].map((r) => expect.objectContaining({ id: r.id, deleted: r.deleted }))));
      expect(t.store.sqlite!.prepare('select count(*) n from feedback where deleted = 0').get()).toEqual({ n: 1 });
      expect(t.store.sqlite!.prepare('select op from feedback_events order by op').all()).toEqual([{ op: 'create' }, { op: 'create' }, { op: 'supersede' }]);
    } finally {
      await t.store.close();
    }
  });

  it('runs each write again alone when a merged flush fails: only the write that cannot be stored fails', async () => {
    const { store, committed, close } = await sqliteStore();
    try {
      store.sqlite!.exec('insert into probe (n) values (2)');
      const before = { ...groupCommitStats };
      const flush = async (trx: Parameters<Parameters<typeof groupCommit>[2]>[0], plans: number[]) => {
        for (const n of plans) await sql`insert into probe (n) values (${n})`.execute(trx);
      };
      const results = await Promise.allSettled([1, 2, 3].map((n) =>
        groupCommitPlanned(store.db, true, { prepare: async () => n, names: () => [String(n)], flush }),
      ));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
      expect(groupCommitStats.fallbacks - before.fallbacks).toBe(1);
      expect(committed()).toEqual([1, 2, 3]);
    } finally {
      await close();
    }
  });

  it('is the plain transaction when the store is not one shared connection', async () => {
    const { store, committed, close } = await sqliteStore();
    try {
      const before = { ...groupCommitStats };
      await Promise.all([1, 2].map((n) => groupCommit(store.db, false, (trx) => sql`insert into probe (n) values (${n})`.execute(trx))));
      expect(groupCommitStats.groups).toBe(before.groups);
      expect(committed()).toEqual([1, 2]);
    } finally {
      await close();
    }
  });
});

