/**
 * Migration 0200-sources-and-queues on a store that already holds feedback: every older record is a
 * person's, its channel is `extension` when a client id came with it (the sync route) and `api`
 * otherwise, the live-vote index widens to the judge, and the queue tables exist. Runs on SQLite
 * and PostgreSQL; going back removes it all again.
 */
import { Kysely, Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { unmigratedStore } from '../../../test/helpers/unmigrated-store.ts';
import { MIGRATIONS } from './index.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const at = '2026-01-01T00:00:00.000Z';
function oldRow(id: string, clientId: string | null, targetKey = `k-${id}`) {
  const record = { id, target: { kind: 'chat_response', key: targetKey }, rating: { thumb: 'up' }, createdAt: at, updatedAt: at };
  return {
    id, workspace_id: 'w1', rater_id: 'r1', client_id: clientId, target_key: targetKey, kind: 'chat_response', site: null, model: null,
    intent: null, project: null, subject: null, conversation_id: null, thumb: 'up', stars: null, label: null, created_at: at,
    updated_at: at, received_at: at, deleted: 0, record: JSON.stringify(record), content_hash: `h-${id}`, criterion: 'overall', has_correction: 0,
  };
}

describe('migration 0200-sources-and-queues', () => {
  it('makes every older record a person’s, with its channel from how it came in, and widens the live index to the judge', async () => {
    const store = await unmigratedStore();
    closers.push(store.close);
    const db = store.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(store.schema ? { migrationTableSchema: store.schema } : {}) });
    expect((await migrator.migrateTo('0190-work-queue-and-vectors')).error).toBeUndefined();
    await db.insertInto('workspaces').values({ id: 'w1', name: 'w1', created_at: at }).execute();
    await db.insertInto('feedback').values([oldRow('synced', 'phone'), oldRow('posted', null)]).execute();

    expect((await migrator.migrateTo('0200-sources-and-queues')).error).toBeUndefined();
    const rows = await db.selectFrom('feedback').select(['id', 'source_type', 'source_channel', 'source_name', 'queue_id']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'posted', source_type: 'human', source_channel: 'api', source_name: '', queue_id: null },
      { id: 'synced', source_type: 'human', source_channel: 'extension', source_name: '', queue_id: null },
    ]);
    // Two judges of one rater on one target and criterion are two live votes now; the same judge twice is not.
    const judged = (id: string, judge: string) => ({ ...oldRow(id, null, 'k-shared'), source_type: 'model', source_name: judge, source_channel: 'api' });
    await db.insertInto('feedback').values([judged('j1', 'judge-a'), judged('j2', 'judge-b')]).execute();
    await expect(db.insertInto('feedback').values(judged('j3', 'judge-a')).execute()).rejects.toThrow(/unique|UNIQUE/);
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['queues', 'queue_items', 'queue_claims', 'queue_adjudications']));

    // Back: refused while two judges of one target are live (the narrower index cannot hold them) ...
    expect((await migrator.migrateTo('0190-work-queue-and-vectors')).error).toBeDefined();
    // ... and clean once they are not.
    await db.deleteFrom('feedback').where('id', '=', 'j2').execute();
    expect((await migrator.migrateTo('0190-work-queue-and-vectors')).error).toBeUndefined();
    const after = await db.introspection.getTables();
    expect(after.map((t) => t.name)).not.toContain('queues');
    expect(after.find((t) => t.name === 'feedback')!.columns.map((c) => c.name)).not.toContain('source_type');
  });
});
