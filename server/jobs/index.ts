/**
 * The serving process's background work: the webhook worker and the daily retention purge.
 * Started by `groundtruth serve` after the HTTP server, stopped on SIGTERM before the store closes.
 */
import type { Env } from '../env.ts';
import type { Store } from '../store/open.ts';
import { startWebhookWorker } from '../webhooks/worker.ts';
import { startRetentionSchedule } from './retention.ts';

export interface BackgroundJobs {
  stop(): Promise<void>;
}

export function startBackgroundJobs(store: Store, env: Env, log: (line: string) => void = () => {}): BackgroundJobs {
  const webhooks = startWebhookWorker(store.db, {
    pollMs: env.WEBHOOK_POLL_MS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    log,
  });
  const retention = startRetentionSchedule(store.db, { intervalMs: env.RETENTION_INTERVAL_HOURS * 3_600_000, log });
  return {
    async stop() {
      await Promise.all([webhooks.stop(), retention.stop()]);
    },
  };
}
