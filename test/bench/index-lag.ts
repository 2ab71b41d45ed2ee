/**
 * Issue 14 (part 7, semantic): index lag under a burst — BENCH_LAG_ROWS (1,000) records written
 * through applyMutations in sync-sized batches (100), with the work queue's worker running its real
 * loop (jobs/indexer.ts, default poll) against a local fake embeddings endpoint
 * (test/helpers/fake-embeddings.ts, answering at once: the figure is the queue's own cost, not a
 * model's). Reported: the write time, and from the last commit until every record has its vector
 * (the queue empty), on SQLite and PostgreSQL (a fresh schema in TEST_DATABASE_URL's database).
 */
import { applyMutations, type Actor } from '../../server/store/feedback.ts';
import { startIndexer } from '../../server/jobs/indexer.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { queueLag } from '../../server/store/work-queue.ts';
import { withVectors } from '../../server/search/semantic/vectors.ts';
import { makeFeedback, tempDir, upsert } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import { startFakeEmbeddings } from '../helpers/fake-embeddings.ts';
import type { Bench } from './index.ts';

const ROWS = Number(process.env.BENCH_LAG_ROWS ?? 1000);
const BATCH = 100;
const TOPICS = ['NULL spike after the mobile release', 'duplicate orders from retry logic', 'missing EU data during the CDN migration', 'slow checkout after the upgrade'];

async function measure(store: Store) {
  const fake = await startFakeEmbeddings();
  await ensureWorkspace(store.db, 'default');
  const actor: Actor = { workspaceId: 'default', raterId: 'bench', role: 'rater', tokenId: null, clientId: 'bench' };
  const indexer = startIndexer(store.db, { embeddings: fake.config() });
  try {
    const started = performance.now();
    for (let i = 0; i < ROWS; i += BATCH) {
      const records = Array.from({ length: Math.min(BATCH, ROWS - i) }, (_, k) => {
        const f = makeFeedback();
        return { ...f, target: { ...f.target, output: `${TOPICS[(i + k) % TOPICS.length]} (case ${i + k})` } };
      });
      await applyMutations(store.db, actor, records.map(upsert));
    }
    const committed = performance.now();
    let peak = 0;
    for (;;) {
      const lag = await queueLag(store.db);
      peak = Math.max(peak, lag.pending);
      if (lag.pending === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const drained = performance.now();
    const vectors = await withVectors(store.db).selectFrom('search_vectors').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return {
      records: ROWS,
      writeMs: Math.round(committed - started),
      lagAfterLastCommitMs: Math.round(drained - committed),
      firstCommitToAllEmbeddedMs: Math.round(drained - started),
      peakPending: peak,
      vectors: Number(vectors.n),
      embeddingRequests: fake.requests.length,
    };
  } finally {
    await indexer.stop();
    await fake.close();
  }
}

const bench: Bench = {
  name: 'index-lag',
  description: `index lag: ${ROWS} records in batches of ${BATCH}, embedded through the work queue (fake endpoint)`,
  async run() {
    const out: Record<string, unknown> = {};
    const sqlite = await openStore({ dataDir: tempDir('gt-bench-lag-') });
    try {
      out.sqlite = await measure(sqlite);
    } finally {
      await sqlite.close();
    }
    let url: string | undefined;
    try {
      url = await freshPostgresUrl('lag');
      const pg = await openStore({ databaseUrl: url });
      try {
        out.postgres = await measure(pg);
      } finally {
        await pg.close();
      }
    } catch (err) {
      out.postgres = { skipped: `PostgreSQL not reachable or failed: ${(err as Error).message}` };
    } finally {
      if (url) await dropPostgresSchema(url).catch(() => {});
    }
    return out;
  },
};
export default bench;
