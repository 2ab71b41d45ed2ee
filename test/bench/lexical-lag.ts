/**
 * Issue 19 (item 3): the lexical search index's lag under sustained writes. BENCH_LEXICAL_RATE
 * (1,000) mutations a second for BENCH_LEXICAL_SECONDS (15) through applyMutations, in batches
 * of 100 every 100 ms (open loop: a batch that finishes late is followed by the next at once),
 * with the work queue's worker running its real loop (jobs/indexer.ts, default poll, no embeddings
 * endpoint). Every 50 ms the age of the oldest change not yet indexed is sampled (the queue's
 * `lexical` jobs); reported: its p50/p99/max, the rate the writes reached, and the time from the
 * last commit until everything was indexed. SQLite and PostgreSQL (a fresh schema).
 */
import { sql } from 'kysely';
import { startIndexer } from '../../server/jobs/indexer.ts';
import { LEXICAL_JOB } from '../../server/search/lexical-jobs.ts';
import { applyMutations, type Actor } from '../../server/store/feedback.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { withWorkQueue } from '../../server/store/work-queue.ts';
import { makeFeedback, tempDir, upsert } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import { percentile } from '../durability/workload.ts';
import type { Bench } from './index.ts';

const RATE = Number(process.env.BENCH_LEXICAL_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_LEXICAL_SECONDS ?? 15);
const BATCH = 100;

async function oldestPendingMs(store: Store): Promise<{ pending: number; ageMs: number }> {
  const row = await withWorkQueue(store.db)
    .selectFrom('work_queue')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('enqueued_at').as('oldest')])
    .where('kind', '=', LEXICAL_JOB)
    .executeTakeFirst();
  const pending = Number(row?.n ?? 0);
  return { pending, ageMs: pending && row?.oldest ? Math.max(0, Date.now() - Date.parse(String(row.oldest))) : 0 };
}

async function measure(store: Store) {
  await ensureWorkspace(store.db, 'default');
  const actor: Actor = { workspaceId: 'default', raterId: 'bench', role: 'rater', tokenId: null, clientId: 'bench' };
  const indexer = startIndexer(store.db, { embeddings: null });
  const samples: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push((await oldestPendingMs(store)).ageMs);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const batches = Math.round((RATE * SECONDS) / BATCH);
    const interval = (1000 * BATCH) / RATE;
    const started = performance.now();
    for (let b = 0; b < batches; b++) {
      const due = started + b * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await applyMutations(store.db, actor, Array.from({ length: BATCH }, () => upsert(makeFeedback({ comment: `case ${b}: the retry policy is wrong` }))));
    }
    const committed = performance.now();
    for (;;) {
      const { pending } = await oldestPendingMs(store);
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const drained = performance.now();
    sampling = false;
    await sampler;
    samples.sort((a, b) => a - b);
    const docs = await sql<{ n: number }>`select count(*) as n from ${sql.table(store.sqlite ? 'search_docs' : 'search_index')}`.execute(store.db);
    return {
      mutations: batches * BATCH,
      reachedPerSecond: Math.round((batches * BATCH) / ((committed - started) / 1000)),
      lagP50Ms: Math.round(percentile(samples, 50)),
      lagP99Ms: Math.round(percentile(samples, 99)),
      lagMaxMs: Math.round(samples[samples.length - 1] ?? 0),
      lastCommitToIndexedMs: Math.round(drained - committed),
      indexed: Number(docs.rows[0]!.n),
      goal: 'lag p99 <= 2000 ms at 1,000 mutations/s',
    };
  } finally {
    sampling = false;
    await sampler;
    await indexer.stop();
  }
}

const bench: Bench = {
  name: 'lexical-lag',
  description: `lexical index lag: ${RATE} mutations/s for ${SECONDS} s, indexed by the work queue's worker`,
  async run() {
    const out: Record<string, unknown> = {};
    const sqlite = await openStore({ dataDir: tempDir('gt-bench-lexlag-') });
    try {
      out.sqlite = await measure(sqlite);
    } finally {
      await sqlite.close();
    }
    let url: string | undefined;
    try {
      url = await freshPostgresUrl('lexlag');
      const pg = await openStore({ databaseUrl: url });
      try {
        out.postgres = await measure(pg);
      } finally {
        await pg.close();
      }
    } finally {
      if (url) await dropPostgresSchema(url).catch(() => {});
    }
    return out;
  },
};
export default bench;
