/**
 * The serving process's background work: the webhook worker, the daily retention purge, the
 * audit log's own retention, the work queue's worker (indexer.ts: the search index, embeddings)
 * and, on SQLite, the WAL checkpoints in a worker thread (store/wal-checkpointer.ts).
 * Started by `groundtruth serve` after the HTTP server, stopped on SIGTERM before the store closes.
 */
import type { Env } from '../env.ts';
import type { Store } from '../store/open.ts';
import { startWebhookWorker } from '../webhooks/worker.ts';
import { startAuditRetention } from '../audit/retention.ts';
import { startRetentionSchedule } from './retention.ts';
import { startIndexer } from './indexer.ts';
import { embeddingsConfigFrom } from '../search/semantic/config.ts';
import { noEmbeddingsEndpoint } from '../search/semantic/projection.ts';
import { startWalCheckpointer } from '../store/wal-checkpointer.ts';

export interface BackgroundJobs {
  stop(): Promise<void>;
}

export function startBackgroundJobs(store: Store, env: Env, log: (line: string) => void = () => {}): BackgroundJobs {
  const webhooks = startWebhookWorker(store.db, {
    pollMs: env.WEBHOOK_POLL_MS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    addresses: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE, allowedHosts: env.WEBHOOK_ALLOWED_HOSTS },
    log,
  });
  const retention = startRetentionSchedule(store.db, { intervalMs: env.RETENTION_INTERVAL_HOURS * 3_600_000, log });
  // The audit log keeps its own time (AUDIT_RETENTION_DAYS), whatever the feedback retention is.
  const auditRetention = startAuditRetention(store.db, { days: env.AUDIT_RETENTION_DAYS, log });
  const embeddings = embeddingsConfigFrom(env);
  // No endpoint: writes need not queue embed jobs (the backfill catches up once one is set).
  if (!embeddings) noEmbeddingsEndpoint(store.db);
  const indexer = startIndexer(store.db, { embeddings, log });
  const checkpoints = store.sqlite ? startWalCheckpointer(store.sqlite, { log }) : undefined;
  return {
    async stop() {
      await Promise.all([webhooks.stop(), retention.stop(), auditRetention.stop(), indexer.stop(), checkpoints?.stop()]);
    },
  };
}
