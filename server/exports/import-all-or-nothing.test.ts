/**
 * Issue 13, item 8, on both backends: importRecords restores a file whole or not at all. A line
 * that is not a record, a record of another workspace, or a record the store refuses leaves the
 * store exactly as it was (records, events, rollups); `partial` applies the rest. A large file is
 * one transaction on PostgreSQL too, without a lock per record (which would run out of lock table).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/helpers/backend.ts';
import { feedbackFrom, seedRatings } from '../../test/helpers/ratings.ts';
import type { Store } from '../store/open.ts';
import { importRecords } from './import.ts';

function line(spec: Parameters<typeof feedbackFrom>[0] & { workspaceId?: string }) {
  const rater = spec.rater ?? 'ann';
  return JSON.stringify({ ...feedbackFrom(spec), raterId: rater, workspaceId: spec.workspaceId ?? 'w', receivedAt: '2026-01-02T00:00:00.000Z', clientId: null });
}

async function counts(store: Store) {
  const n = async (table: 'feedback' | 'feedback_events' | 'workspaces') =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { feedback: await n('feedback'), events: await n('feedback_events'), workspaces: await n('workspaces') };
}

describe('importRecords: all or nothing', () => {
  it('a bad line, a foreign record or a refused record writes nothing; partial writes the rest', async () => {
    const store = await openTestStore();
    const [taken] = await seedRatings(store, 'w', [{ rater: 'someone-else', prompt: 'x', output: 'y', thumb: 'up' }]);
    const before = await counts(store);
    const good = [line({ prompt: 'a', output: 'b', thumb: 'up' }), line({ rater: 'bob', prompt: 'c', output: 'd', stars: 2 })];
    const cases = {
      'not JSON': '{oops',
      'another workspace': line({ workspaceId: 'elsewhere', prompt: 'e', output: 'f', thumb: 'up' }),
      'refused by the store': line({ id: taken, rater: 'bob', prompt: 'g', output: 'h', thumb: 'down' }),
    };
    for (const [what, bad] of Object.entries(cases)) {
      const report = await importRecords(store.db, Readable.from([[good[0], bad, good[1]].join('\n')]), { workspaceId: 'w' });
      expect(report, what).toMatchObject({ lines: 3, applied: 0, committed: false, rejected: [{ line: 2 }] });
      expect(await counts(store), what).toEqual(before);
    }
    const partial = await importRecords(store.db, Readable.from([[good[0], cases['not JSON'], good[1]].join('\n')]), { workspaceId: 'w', partial: true });
    expect(partial).toMatchObject({ applied: 2, committed: true, rejected: [{ line: 2 }] });
    expect((await counts(store)).feedback).toBe(before.feedback + 2);
    await store.close();
  });

  it('a file of 8,000 records is one transaction, also on PostgreSQL', { timeout: 120_000 }, async () => {
    const store = await openTestStore();
    const lines = Array.from({ length: 8000 }, (_, i) => line({ rater: `r${i % 20}`, prompt: `p${i}`, output: 'o', thumb: i % 2 ? 'up' : 'down' }));
    const report = await importRecords(store.db, Readable.from([lines.join('\n')]), { workspaceId: 'w' });
    expect(report).toMatchObject({ lines: 8000, applied: 8000, committed: true, rejected: [] });
    expect((await counts(store)).feedback).toBe(8000);
    await store.close();
  });
});
