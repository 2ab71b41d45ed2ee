/**
 * The projections of the feedback table: what every opened store keeps in the same transaction as
 * each feedback change (applyMutations, erasure, retention). openStore attaches exactly this list,
 * so the server, the CLI, the tests and the benches get all of them by opening the store, whatever
 * else they import. Adding a projection is adding it here.
 *
 * - insightsRollups: daily counts, distinct raters and conversations, votes per target (insights),
 *   and feedback_examples, the prompt/example hashes that export runs stream and merge by.
 * - lexicalQueue: `lexical` jobs for the search index (SQLite FTS5; PostgreSQL tsvector + GIN,
 *   migration 0180), indexed by the worker and before each search (search/lexical-jobs.ts); a
 *   deleted, erased or purged record leaves the index here, in the transaction.
 * - webhookOutbox: feedback.negative / feedback.low_stars deliveries for the webhook worker.
 * - queueReviews: review queues' claims submitted, reviews counted, queues complete (queues/projection.ts).
 * - embeddingQueue: `embed` jobs on the work queue (store/work-queue.ts) for records whose text
 *   changed (none in a serving process without an embeddings endpoint); a deleted, erased or
 *   purged record loses its vector and queued job here.
 *
 * Export runs need nothing else: `export.completed` is enqueued by the run itself (exports/runs.ts).
 */
import { insightsRollups } from '../insights/rollups.ts';
import { lexicalQueue } from '../search/lexical-jobs.ts';
import { embeddingQueue } from '../search/semantic/projection.ts';
import { webhookOutbox } from '../webhooks/outbox.ts';
import { queueReviews } from '../queues/projection.ts';
import type { ChangeListener } from './feedback-changes.ts';

export const PROJECTIONS: readonly ChangeListener[] = [insightsRollups, lexicalQueue, webhookOutbox, embeddingQueue, queueReviews];
