/**
 * The process's Prometheus metrics (issue 18): one registry, names prefixed `groundtruth_`.
 * Counters are moved where things happen (http.ts, mutations.ts, the webhook worker); the gauges
 * that read the store (feedback figures, outbox depth, pool) are set at scrape time (scrape.ts).
 * Labels never carry page text beyond model names, nor a rater id or a token.
 */
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'groundtruth_' });

const registers = [registry];

export const httpRequests = new client.Counter({
  name: 'groundtruth_http_requests_total',
  help: 'HTTP requests answered, by method, route template and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers,
});

export const httpDuration = new client.Histogram({
  name: 'groundtruth_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by method and route template.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const mutations = new client.Counter({
  name: 'groundtruth_mutations_total',
  help: 'Feedback mutations by result (applied, unchanged, stale, rejected) and source (extension, program, drop-in).',
  labelNames: ['result', 'source'] as const,
  registers,
});

export const syncBatchSize = new client.Histogram({
  name: 'groundtruth_sync_batch_size',
  help: 'Mutations per /v1/sync batch.',
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
  registers,
});

export const webhookDeliveries = new client.Counter({
  name: 'groundtruth_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome (delivered, retry, failed).',
  labelNames: ['outcome'] as const,
  registers,
});

export const webhookQueueDepth = new client.Gauge({
  name: 'groundtruth_webhook_queue_depth',
  help: 'Webhook deliveries pending (all workspaces), read at scrape time.',
  registers,
});

export const rateLimited = new client.Counter({
  name: 'groundtruth_rate_limit_refusals_total',
  help: 'Requests refused with 429 rate_limited, by route template.',
  labelNames: ['route'] as const,
  registers,
});

export const poolInUse = new client.Gauge({
  name: 'groundtruth_store_pool_in_use',
  help: 'PostgreSQL connections checked out of the pool (absent on SQLite).',
  registers,
});

export const poolWaiting = new client.Gauge({
  name: 'groundtruth_store_pool_waiting',
  help: 'Requests waiting for a PostgreSQL connection (absent on SQLite).',
  registers,
});

export const feedbackRatings = new client.Gauge({
  name: 'groundtruth_feedback_ratings_7d',
  help: 'Live ratings created in the last 7 UTC days (criterion overall), per workspace and model; the 50 busiest models per workspace, the rest as model="other".',
  labelNames: ['workspace', 'model'] as const,
  registers,
});

export const feedbackThumbs = new client.Gauge({
  name: 'groundtruth_feedback_thumbs_7d',
  help: 'Thumbs up and down in the last 7 UTC days (criterion overall), per workspace and model.',
  labelNames: ['workspace', 'model', 'thumb'] as const,
  registers,
});

export const feedbackShareUp = new client.Gauge({
  name: 'groundtruth_feedback_share_up_7d',
  help: 'Share of thumbs up in the last 7 UTC days (criterion overall), per workspace and model (absent without thumbs).',
  labelNames: ['workspace', 'model'] as const,
  registers,
});

/** The work queue's lag (store/work-queue.ts; embeddings for search), read at scrape time. */
export const indexerLag = new client.Gauge({
  name: 'groundtruth_search_indexer_lag_seconds',
  help: 'Age of the oldest job pending on the work queue (embeddings for semantic search), in seconds; 0 when it is empty.',
  registers,
});
indexerLag.set(0);

export const workQueuePending = new client.Gauge({
  name: 'groundtruth_work_queue_pending',
  help: 'Jobs pending on the work queue (all workspaces and kinds), read at scrape time.',
  registers,
});

export const sitesBroken = new client.Gauge({
  name: 'groundtruth_sites_broken',
  help: 'Open site.broken incidents per workspace and reason (no site label: site names come from clients; see /dashboard/sites).',
  labelNames: ['workspace', 'reason'] as const,
  registers,
});
