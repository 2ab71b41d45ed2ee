/**
 * The embeddings' projection (store/projections.ts): in the transaction of every feedback change,
 * a record whose text changed gets an `embed` job on the work queue (store/work-queue.ts), and a
 * record deleted, erased or purged loses its vector and its queued job at once — erasure and
 * retention run the projections with tombstones (store/erase.ts), so nothing of it stays behind.
 * A re-vote that leaves the text alone queues nothing (the rating boost is read live at search).
 */
import type { Kysely, Transaction } from 'kysely';
import type { FeedbackChange } from '../../store/feedback-changes.ts';
import type { DB } from '../../store/schema.ts';
import { enqueue, forgetJobs, type JobRef } from '../../store/work-queue.ts';
import { embedTextOfRow } from './text.ts';
import { vectorStoreFor } from './vectors.ts';

export const EMBED_JOB = 'embed';

/**
 * Stores (by their query executor's adapter, as feedback-changes.ts keys listeners) whose serving
 * process has no embeddings endpoint: their writes queue no `embed` job, which the worker would only
 * drop (embed-jobs.ts). Turning an endpoint on later loses nothing: the worker's start-up backfill
 * queues every record without a current vector. Other processes on the same store (the CLI) keep
 * queueing; a server with no endpoint drops those jobs as before.
 */
const withoutEndpoint = new WeakSet<object>();

/** Called by the serving process's composition root (jobs/index.ts) when no endpoint is configured. */
export function noEmbeddingsEndpoint(db: Kysely<DB>): void {
  withoutEndpoint.add(db.getExecutor().adapter);
}

export async function embeddingQueue(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  const queueing = !withoutEndpoint.has(trx.getExecutor().adapter);
  const jobs: JobRef[] = [];
  const gone = new Map<string, string[]>();
  for (const { before, after } of changes) {
    // Without an endpoint only a vector stored before can need removing: a new record has none.
    if (!queueing && !before) continue;
    const text = after.deleted ? null : embedTextOfRow(after.record);
    if (text === null) {
      if (before) gone.set(after.workspace_id, [...(gone.get(after.workspace_id) ?? []), after.id]);
      continue;
    }
    if (!queueing || (before && !before.deleted && before.record && embedTextOfRow(before.record) === text)) continue;
    jobs.push({ kind: EMBED_JOB, workspaceId: after.workspace_id, ref: after.id });
  }
  const vectors = vectorStoreFor(trx);
  for (const [workspaceId, ids] of gone) {
    await vectors.remove(trx, workspaceId, ids);
    await forgetJobs(trx, EMBED_JOB, workspaceId, ids);
  }
  await enqueue(trx, jobs);
}
