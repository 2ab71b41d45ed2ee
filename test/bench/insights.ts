/**
 * Issue 19 (item 4): stats, agreement and accuracy must not grow with the data. Each is timed at
 * BENCH_INSIGHTS_SMALL (10,000) and BENCH_INSIGHTS_ROWS (1,000,000) stored ratings, seeded as the
 * exports bench seeds them (feedback rows plus the rollup code the change listener runs, so the
 * rollups are exactly what live writes leave), and reported as big/small ratios of the same run.
 * Target: every ratio within 2. Medians of 21 runs alternating between the stores, SQLite.
 */
import fs from 'node:fs';
import { accuracy } from '../../server/insights/accuracy.ts';
import { agreement } from '../../server/insights/agreement.ts';
import { stats } from '../../server/insights/stats.ts';
import type { Store } from '../../server/store/open.ts';
import { seed } from './exports.ts';
import type { Bench } from './index.ts';

const BIG = Number(process.env.BENCH_INSIGHTS_ROWS ?? 1_000_000);
const SMALL = Number(process.env.BENCH_INSIGHTS_SMALL ?? 10_000);

const QUERIES: Record<string, (store: Store) => Promise<unknown>> = {
  accuracyByModel: (s) => accuracy(s.db, 'default', { groupBy: ['model'] }),
  accuracyBy5Dims: (s) => accuracy(s.db, 'default', { groupBy: ['model', 'intent', 'project', 'site', 'kind'] }),
  stats7Days: (s) => stats(s.db, 'default', { days: 7 }),
  stats30Days: (s) => stats(s.db, 'default', { days: 30 }),
  agreement: (s) => agreement(s.db, 'default'),
  agreementByModel: (s) => agreement(s.db, 'default', { model: 'gpt-5' }),
};

const medianOf = (ms: number[]) => Math.round([...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]! * 100) / 100;

/**
 * Median ms of each query on each store, runs alternating between the two stores: load from the
 * rest of the machine then falls on both alike, and their ratio stays meaningful.
 */
async function timeBoth(small: Store, big: Store, runs = 21) {
  const out: Record<string, { small: number; big: number; ratio: number }> = {};
  for (const [name, query] of Object.entries(QUERIES)) {
    await query(small); // warm-up (JIT, statement cache)
    await query(big);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const [store, into] of [[small, a], [big, b]] as const) {
        const t = performance.now();
        await query(store);
        into.push(performance.now() - t);
      }
    }
    const [ms, mb] = [medianOf(a), medianOf(b)];
    out[name] = { small: ms, big: mb, ratio: Math.round((mb / Math.max(ms, 0.01)) * 100) / 100 };
  }
  return out;
}

const bench: Bench = {
  name: 'insights',
  description: `stats, agreement and accuracy at ${SMALL.toLocaleString('en')} vs ${BIG.toLocaleString('en')} ratings (ratios; target ≤ 2)`,
  async run() {
    const small = await seed(SMALL);
    const big = await seed(BIG);
    try {
      return {
        seedSeconds: { [SMALL]: Math.round(small.seconds * 10) / 10, [BIG]: Math.round(big.seconds) },
        [`msAt${SMALL}VsAt${BIG}`]: await timeBoth(small.store, big.store),
      };
    } finally {
      await small.store.close();
      await big.store.close();
      fs.rmSync(small.dataDir, { recursive: true, force: true });
      fs.rmSync(big.dataDir, { recursive: true, force: true });
    }
  },
};

export default bench;
