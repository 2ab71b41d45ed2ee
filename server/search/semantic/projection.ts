/**
 * The embeddings' projection (store/projections.ts): in the transaction of every feedback change,
 * a record whose text changed gets an `embed` job on the work queue (store/work-queue.ts), and a
 * record deleted, erased or purged loses its vector and its queued job at once — erasure and
 * retention run the projections with tombstones (store/erase.ts), so nothing of it stays behind.
 * A re-vote that leaves the text alone queues nothing (the rating boost is read live at search).
 */
import type { Transaction } from 'kysely';
import type { FeedbackChange } from '../../store/feedback-changes.ts';
import type { DB } from '../../store/schema.ts';
import { enqueue, forgetJobs, type JobRef } from '../../store/work-queue.ts';
import { embedTextOfRow } from './text.ts';
import { vectorStoreFor } from './vectors.ts';

export const EMBED_JOB = 'embed';

export async function embeddingQueue(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  const jobs: JobRef[] = [];
  const gone = new Map<string, string[]>();
  for (const { before, after } of changes) {
    const text = after.deleted ? null : embedTextOfRow(after.record);
    if (text === null) {
      if (before) gone.set(after.workspace_id, [...(gone.get(after.workspace_id) ?? []), after.id]);
      continue;
    }
    if (before && !before.deleted && before.record && embedTextOfRow(before.record) === text) continue;
    jobs.push({ kind: EMBED_JOB, workspaceId: after.workspace_id, ref: after.id });
  }
  const vectors = vectorStoreFor(trx);
  for (const [workspaceId, ids] of gone) {
    await vectors.remove(trx, workspaceId, ids);
    await forgetJobs(trx, EMBED_JOB, workspaceId, ids);
  }
  await enqueue(trx, jobs);
}
