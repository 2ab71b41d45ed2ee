/**
 * The work queue's worker (store/work-queue.ts; ADR 0041): a loop started by `groundtruth serve`
 * that claims due jobs of each kind with a lease, runs them through the kind's handler, deletes
 * what is done and reschedules what failed with shared/backoff.ts (never given up: a job waits for
 * its endpoint to come back, and the queue's lag, in /readyz and /metrics, tells the operator).
 * Kinds today: `lexical` (the search index, search/lexical-jobs.ts) and `embed` (semantic search).
 * Another kind is another entry in `handlers`.
 *
 * No network call is made inside a transaction; a batch that was claimed full is followed by the
 * next after one turn of the event loop, so a burst drains at the endpoint's pace rather than one
 * batch per poll, and requests still run between its batches.
 */
import type { Kysely } from 'kysely';
import { backoffDelay } from '../../shared/backoff.ts';
import { expectTick, jobStopped } from '../metrics/heartbeat.ts';
import { backfillEmbeddings, runEmbedJobs } from '../search/semantic/embed-jobs.ts';
import type { EmbeddingsConfig } from '../search/semantic/config.ts';
import { EMBED_JOB } from '../search/semantic/projection.ts';
import { LEXICAL_BATCH, LEXICAL_JOB, runLexicalBatch, runLexicalJobs } from '../search/lexical-jobs.ts';
import type { DB } from '../store/schema.ts';
import { claimJobs, retryJobs, type ClaimedJob } from '../store/work-queue.ts';

export interface JobHandler {
  /** Jobs per claim. */
  batch: number;
  run(db: Kysely<DB>, jobs: ClaimedJob[], signal: AbortSignal): Promise<void>;
  /**
   * Claims and runs a batch itself, resolving with the number claimed (and putting failed jobs
   * back): for a kind whose runs others wait for (`lexical`: a search waits for the runs in progress).
   */
  claimAndRun?(db: Kysely<DB>): Promise<number>;
}

/** The lexical search index (search/lexical-jobs.ts). */
export const lexicalHandler: JobHandler = {
  batch: LEXICAL_BATCH,
  run: (db, jobs) => runLexicalJobs(db, jobs),
  claimAndRun: async (db) => (await runLexicalBatch(db)).length,
};

export interface IndexerOptions {
  embeddings: EmbeddingsConfig | null;
  pollMs?: number;
  /** How long a claim is held before another worker may take the job (longer than one batch). */
  leaseMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Attempts inside one embeddings call (the client's own retries), before the job is rescheduled. */
  callAttempts?: number;
  log?: (line: string) => void;
  /** Extra kinds, or replacements (tests). */
  handlers?: Record<string, JobHandler>;
}

export interface Indexer extends IndexerCore {
  stop(): Promise<void>;
}

export function embedHandler(config: EmbeddingsConfig | null, callAttempts = 3, batch = config?.batchSize ?? 64): JobHandler {
  return {
    batch,
    run: (db, jobs, signal) => runEmbedJobs(db, config, jobs, { attempts: callAttempts, signal }),
  };
}

export interface IndexerCore {
  /** One claim per kind and its run; resolves with the number of jobs claimed. */
  runOnce(): Promise<number>;
  /** Runs until nothing is due (tests, benchmarks): resolves when the queue has no due job left. */
  drain(): Promise<void>;
  /** Queues what has no current vector (run once at start when an endpoint is configured). */
  backfill(): Promise<number>;
  /** Claims of a burst: runs claims until one comes back short of a full batch. */
  burst(): Promise<void>;
}

/** The worker's steps without its loop: what tests and benchmarks drive. */
export function createIndexer(db: Kysely<DB>, options: IndexerOptions, signal: AbortSignal = new AbortController().signal): IndexerCore {
  const { retryBaseMs = 5_000, retryMaxMs = 5 * 60_000, log = () => {} } = options;
  const leaseMs = options.leaseMs ?? (options.embeddings?.timeoutMs ?? 10_000) * 4 + 30_000;
  const handlers: Record<string, JobHandler> = {
    [LEXICAL_JOB]: lexicalHandler,
    [EMBED_JOB]: embedHandler(options.embeddings, options.callAttempts),
    ...options.handlers,
  };

  async function runKind(kind: string, handler: JobHandler): Promise<number> {
    if (handler.claimAndRun) {
      try {
        return await handler.claimAndRun(db);
      } catch (err) {
        log(`work queue: ${kind} jobs failed (${(err as Error).message}), tried again shortly`);
        return 0;
      }
    }
    const jobs = await claimJobs(db, kind, handler.batch, leaseMs);
    if (!jobs.length) return 0;
    try {
      await handler.run(db, jobs, signal);
    } catch (err) {
      if (signal.aborted) return jobs.length; // left leased; taken again after restart
      const failures = Math.max(...jobs.map((j) => j.attempts)) + 1;
      const delay = backoffDelay(failures, (err as { retryAfterMs?: number }).retryAfterMs, { baseMs: retryBaseMs, maxMs: retryMaxMs });
      // The message is one of the client's fixed texts: no key, no record text.
      const message = (err as Error).message;
      await retryJobs(db, jobs, delay, message);
      log(`work queue: ${jobs.length} ${kind} job(s) failed (${message}), retry in ${delay} ms`);
    }
    return jobs.length;
  }

  async function runOnce(): Promise<number> {
    let n = 0;
    for (const [kind, handler] of Object.entries(handlers)) n += await runKind(kind, handler);
    return n;
  }

  return {
    runOnce,
    async drain() {
      while (!signal.aborted && (await runOnce()) > 0);
    },
    async backfill() {
      return options.embeddings ? backfillEmbeddings(db, options.embeddings.model) : 0;
    },
    async burst() {
      for (;;) {
        if (signal.aborted) return;
        let full = false;
        for (const [kind, handler] of Object.entries(handlers)) full = (await runKind(kind, handler)) >= handler.batch || full;
        if (!full) return;
        expectTick('indexer', options.pollMs ?? DEFAULT_POLL_MS); // a long burst is alive, not stuck
        // One turn of the event loop between batches: on SQLite every batch runs synchronously, so
        // a burst of several would hold back the requests that arrived meanwhile (a sync waited
        // ~200 ms behind four batches, every poll).
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

export const DEFAULT_POLL_MS = 500;

/** Starts the loop: a backfill, then a burst every `pollMs`. */
export function startIndexer(db: Kysely<DB>, options: IndexerOptions): Indexer {
  const { pollMs = DEFAULT_POLL_MS, log = () => {} } = options;
  const shutdown = new AbortController();
  const core = createIndexer(db, options, shutdown.signal);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = core
        .burst()
        .catch((err) => log(`work queue: ${(err as Error).message}`))
        .finally(() => schedule(pollMs));
    }, delay);
    timer.unref?.();
    expectTick('indexer', delay); // readiness (metrics/heartbeat.ts)
  }

  expectTick('indexer', 0);
  running = core
    .backfill()
    .then((n) => n && log(`work queue: ${n} record(s) queued for embedding with ${options.embeddings!.model}`))
    .catch((err) => log(`work queue: backfill: ${(err as Error).message}`))
    .finally(() => schedule(0));

  return {
    ...core,
    async stop() {
      stopped = true;
      jobStopped('indexer');
      clearTimeout(timer);
      shutdown.abort();
      await running?.catch(() => {});
    },
  };
}
