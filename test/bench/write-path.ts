/**
 * Issue 19: where a sync batch's time goes, measured in this process (applyMutations on a real
 * SQLite file, no HTTP), as ratios to raw better-sqlite3 inserts of the feedback and event rows
 * (sync.ts's first baseline) in the same run. The write path runs as served, then with parts of its
 * work left out. The projections a store runs are the list openStore attaches (store/projections.ts),
 * and this bench attaches a shorter one, so no switch in the product is needed:
 * - `asServed`: every projection, and the lexical index brought up to date after each batch (the
 *   background indexer's work, here in the same thread and counted);
 * - `indexNotRun`: every projection, the index's jobs left queued;
 * - `withoutRollups`: every projection but the rollups (insightsRollups), the index's jobs left
 *   queued;
 * - `noProjections`: the feedback and event rows alone, as the baseline writes them, through the
 *   server's validation and conflict plan.
 * The steps between them are what the index, the rollups and the other projections cost; the
 * figures, and what they mean for issue 19's goal, are in ADR 0059. Rounds alternate the baseline
 * and the variants, after a warm-up; each variant's median ratio is reported, with every round.
 */
import { insightsRollups } from '../../server/insights/rollups.ts';
import { LEXICAL_BATCH, runLexicalBatch } from '../../server/search/lexical-jobs.ts';
import { applyMutations, type Actor } from '../../server/store/feedback.ts';
import { attachChangeListeners, type ChangeListener } from '../../server/store/feedback-changes.ts';
import { PROJECTIONS } from '../../server/store/projections.ts';
import type { Bench } from './index.ts';
import { batches, openRaw, rawStore, type Batch } from './sync.ts';

const BATCHES = 10;
const BATCH_SIZE = 500;
const ROUNDS = 3;
const WARM_UP_BATCHES = 2;

const VARIANTS: Record<string, { projections: readonly ChangeListener[]; index: boolean }> = {
  asServed: { projections: PROJECTIONS, index: true },
  indexNotRun: { projections: PROJECTIONS, index: false },
  withoutRollups: { projections: PROJECTIONS.filter((p) => p !== insightsRollups), index: false },
  noProjections: { projections: [], index: false },
};

/** A fresh store writing through applyMutations with `projections`; `write(batches)` returns their milliseconds. */
async function writePath(projections: readonly ChangeListener[], index: boolean) {
  const { store, close } = await openRaw('gt-bench-write-path-');
  attachChangeListeners(store.db, projections);
  const actor: Actor = { workspaceId: 'default', raterId: 'bench', role: 'rater', tokenId: null, clientId: 'bench', channel: 'extension' };
  return {
    async write(data: Batch[]): Promise<number> {
      const started = performance.now();
      for (const batch of data) {
        const results = await applyMutations(store.db, actor, batch);
        if (results.some((r) => r.status !== 'applied')) throw new Error(`not applied: ${JSON.stringify(results.find((r) => r.status !== 'applied'))}`);
        if (index) while ((await runLexicalBatch(store.db)).length >= LEXICAL_BATCH);
      }
      return performance.now() - started;
    },
    close,
  };
}

const bench: Bench = {
  name: 'write-path',
  description: `the sync write path in-process (${ROUNDS} rounds of ${BATCHES}×${BATCH_SIZE} mutations) as served and with parts left out, vs raw inserts of the feedback and event rows`,
  async run() {
    const data = batches(WARM_UP_BATCHES + ROUNDS * BATCHES);
    const warmUp = data.slice(0, WARM_UP_BATCHES);
    const raw = await rawStore();
    const paths = Object.fromEntries(await Promise.all(Object.entries(VARIANTS).map(async ([name, v]) => [name, await writePath(v.projections, v.index)] as const)));
    const rowsPerSecond = (ms: number) => Math.round((BATCHES * BATCH_SIZE) / (ms / 1000));
    try {
      raw.insert(warmUp);
      for (const p of Object.values(paths)) await p.write(warmUp);
      const rounds: Record<string, { rowsPerSecond: number; ratio: number }>[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const part = data.slice(WARM_UP_BATCHES + r * BATCHES, WARM_UP_BATCHES + (r + 1) * BATCHES);
        const rawMs = raw.insert(part);
        const round: Record<string, { rowsPerSecond: number; ratio: number }> = { raw: { rowsPerSecond: rowsPerSecond(rawMs), ratio: 1 } };
        for (const [name, p] of Object.entries(paths)) {
          const ms = await p.write(part);
          round[name] = { rowsPerSecond: rowsPerSecond(ms), ratio: Number((rawMs / ms).toFixed(2)) };
        }
        rounds.push(round);
      }
      const median = (name: string) => rounds.map((r) => r[name]!.ratio).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
      return { rows: BATCHES * BATCH_SIZE, medianRatios: Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, median(name)])), rounds };
    } finally {
      await raw.close();
      for (const p of Object.values(paths)) await p.close();
    }
  },
};
export default bench;
