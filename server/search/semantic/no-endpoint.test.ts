/**
 * A serving process with no embeddings endpoint queues no `embed` jobs (projection.ts): the worker
 * would only drop them, and the start-up backfill queues what lacks a vector once an endpoint is
 * set. Other processes on the store, and deletions, behave as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeFeedback, upsert } from '../../../test/helpers/app.ts';
import { openTestStore } from '../../../test/helpers/backend.ts';
import { parseEnv } from '../../env.ts';
import { startBackgroundJobs } from '../../jobs/index.ts';
import { applyMutations, type Actor } from '../../store/feedback.ts';
import type { Store } from '../../store/open.ts';
import { ensureWorkspace } from '../../store/tokens.ts';
import { withWorkQueue } from '../../store/work-queue.ts';
import { backfillEmbeddings } from './embed-jobs.ts';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const actor: Actor = { workspaceId: 'default', raterId: 'r1', role: 'rater', tokenId: null, clientId: 'script' };

async function store() {
  const s = await openTestStore();
  stores.push(s);
  await ensureWorkspace(s.db, 'default');
  return s;
}

const jobs = async (s: Store, kind: string) =>
  (await withWorkQueue(s.db).selectFrom('work_queue').select('ref').where('kind', '=', kind).execute()).map((r) => r.ref);

describe('embed jobs without an embeddings endpoint', () => {
  it('a process that never said it has none queues them, as before', async () => {
    const s = await store();
    const f = makeFeedback();
    await applyMutations(s.db, actor, [upsert(f)]);
    expect(await jobs(s, 'embed')).toEqual([f.id]);
  });

  it('the serving process with no EMBEDDINGS_* queues none; the search index still gets its job; the backfill catches up', async () => {
    const s = await store();
    const background = startBackgroundJobs(s, parseEnv({}));
    await background.stop();
    const f = makeFeedback();
    await applyMutations(s.db, actor, [upsert(f)]);
    expect(await jobs(s, 'embed')).toEqual([]);
    expect(await jobs(s, 'lexical')).toEqual([f.id]);
    // An endpoint configured later: the worker's start-up backfill queues the record.
    expect(await backfillEmbeddings(s.db, 'some-model')).toBe(1);
    expect(await jobs(s, 'embed')).toEqual([f.id]);
  });
});
