/**
 * Distinct members (distinct.ts) stay exact when batches of different raters change one
 * conversation's active days at the same time: on PostgreSQL they run side by side (a pool of 4),
 * and the advisory lock per member orders their reads of its neighbouring days. Every window of
 * the days is then checked against a brute-force count over the live rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMutations } from '../store/feedback.ts';
import type { Store } from '../store/open.ts';
import { ensureWorkspace } from '../store/tokens.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { feedbackFrom } from '../../test/helpers/ratings.ts';
import { distinctInWindow } from './distinct.ts';

const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];
const EDGES = ['2026-02-28', ...DAYS, '2026-03-07'];

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
  await ensureWorkspace(store.db, 'w');
});
afterAll(() => store.close());

describe('distinct members under concurrent batches', () => {
  it('counts every window exactly after racing inserts and deletes of shared conversations', async () => {
    const live = new Map<string, { rater: string; conversation: string; day: string }>();
    for (let round = 0; round < 12; round++) {
      await Promise.all(
        Array.from({ length: 6 }, async (_, r) => {
          const rater = `r${r}`;
          const mutations: unknown[] = [];
          for (let k = 0; k < 3; k++) {
            const day = DAYS[Math.floor(Math.random() * DAYS.length)]!;
            const conversation = `c${Math.floor(Math.random() * 2)}`;
            const f = feedbackFrom({ rater, conversationId: conversation, day, thumb: 'up' });
            live.set(f.id, { rater, conversation, day });
            mutations.push({ id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f });
          }
          // Take back one of this rater's earlier ratings: a day may turn inactive.
          const mine = [...live].filter(([, v]) => v.rater === rater);
          if (round > 0 && mine.length > 3) {
            const [id] = mine[Math.floor(Math.random() * (mine.length - 3))]!;
            live.delete(id);
            mutations.push({ id, op: 'delete', updatedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, round)).toISOString() });
          }
          await applyMutations(store.db, { workspaceId: 'w', raterId: rater, role: 'rater', tokenId: null, clientId: 'c' }, mutations);
        }),
      );
    }
    for (const facet of ['rater', 'conversation'] as const) {
      for (const a of EDGES) {
        for (const b of EDGES) {
          if (b <= a) continue;
          const brute = new Set([...live.values()].filter((v) => v.day >= a && v.day < b).map((v) => (facet === 'rater' ? v.rater : v.conversation))).size;
          expect(await distinctInWindow(store.db, 'w', 'overall', facet, a, b), `${facet} [${a}, ${b})`).toBe(brute);
        }
      }
    }
  }, 120_000);
});
