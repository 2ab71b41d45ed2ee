/**
 * Issue 16 bench: review queue claims under 20 raters at once, over real HTTP against the server
 * process (test/helpers/server.ts), SQLite store. A queue of 2,000 registered items with overlap 2;
 * each rater loops `GET /v1/queues/{id}/next` (the claim) → `POST /v1/feedback` with `queueId` until
 * the claim answers 204. Figures: claims per second (and the whole claim+review cycle), claim
 * latency, double claims (one rater given an item twice, or an item given to more reviewers than
 * its overlap: must be 0), and the same server's /healthz at 20 in flight as the baseline. The loop
 * stops after BUDGET_MS even if the queue is not done (`finished` says which); the counts hold for
 * the claims made.
 */
import { openStore } from '../../server/store/open.ts';
import { createToken } from '../../server/store/tokens.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../helpers/app.ts';
import { startServer } from '../helpers/server.ts';
import type { Bench } from './index.ts';

const ITEMS = 2000;
const OVERLAP = 2;
const RATERS = 20;
/** The claim loop stops here if the queue is not done by then (a loaded machine), so a run stays under a minute. */
const BUDGET_MS = 35_000;

async function closedLoop(total: number, inFlight: number, make: () => Promise<Response>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < total) {
        const res = await make();
        await res.arrayBuffer();
        if (res.status >= 300) throw new Error(`status ${res.status}`);
      }
    }),
  );
  return Math.round(total / ((performance.now() - started) / 1000));
}

const pct = (xs: number[], p: number) => Number(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(2));

const bench: Bench = {
  name: 'queues',
  description: `${RATERS} raters claiming concurrently over HTTP (GET /v1/queues/{id}/next, then the review) from a queue of ${ITEMS} items with overlap ${OVERLAP}, vs /healthz`,
  async run() {
    const dataDir = tempDir('gt-bench-queues-');
    // Tokens straight into the store before the server starts (a CLI process per token would be most of the run).
    const setup = await openStore({ dataDir });
    const analyst = (await createToken(setup.db, { role: 'analyst', name: 'bench-analyst', raterId: 'analyst' })).token;
    const raters = await Promise.all(Array.from({ length: RATERS }, (_, i) => createToken(setup.db, { role: 'rater', name: `r${i}`, raterId: `r${i}` }).then((t) => t.token)));
    await setup.close();
    const server = await startServer({ dataDir, env: { RATE_LIMIT_PER_MINUTE: '0' } });
    const call = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    try {
      const keys = Array.from({ length: ITEMS }, (_, i) => `task-${i}`);
      for (let i = 0; i < ITEMS; i += 500) {
        const items = keys.slice(i, i + 500).map((key, j) => ({ key, kind: 'task', model: 'bench', output: `Output ${i + j}: `.padEnd(300, 'lorem ipsum ') }));
        const res = await call(analyst, 'POST', '/v1/items', { items });
        if (res.status !== 200) throw new Error(`items: ${res.status} ${await res.text()}`);
      }
      const made = await call(analyst, 'POST', '/v1/queues', { name: 'bench', itemKeys: keys, reviewersPerItem: OVERLAP });
      if (made.status !== 201) throw new Error(`queue: ${made.status} ${await made.text()}`);
      const queueId = ((await made.json()) as { id: string }).id;

      // Baseline first, on the same warm server.
      await closedLoop(200, RATERS, () => fetch(`${server.url}/healthz`));
      const healthPerSecond = await closedLoop(2000, RATERS, () => fetch(`${server.url}/healthz`));

      const given = new Map<string, number>(); // target → reviewers given it
      const pairs = new Set<string>();
      let doubles = 0;
      let claims = 0;
      const claimMs: number[] = [];
      let claimTotalMs = 0;
      const started = performance.now();
      await Promise.all(
        raters.map(async (token, r) => {
          while (performance.now() - started < BUDGET_MS) {
            const t0 = performance.now();
            const res = await fetch(`${server.url}/v1/queues/${queueId}/next`, { headers: { Authorization: `Bearer ${token}` } });
            const took = performance.now() - t0;
            if (res.status === 204) break;
            if (res.status !== 200) throw new Error(`claim: ${res.status} ${await res.text()}`);
            const { item } = (await res.json()) as { item: { targetKey: string } };
            claims++;
            claimMs.push(took);
            claimTotalMs += took;
            const pair = `${r}\u001f${item.targetKey}`;
            if (pairs.has(pair)) doubles++;
            pairs.add(pair);
            const n = (given.get(item.targetKey) ?? 0) + 1;
            given.set(item.targetKey, n);
            if (n > OVERLAP) doubles++;
            const at = new Date().toISOString();
            const review = { id: uuidv7(), target: { kind: 'task', key: item.targetKey }, rating: { thumb: r % 3 ? 'up' : 'down' }, queueId, createdAt: at, updatedAt: at };
            const posted = await call(token, 'POST', '/v1/feedback', review);
            if (posted.status !== 201) throw new Error(`review: ${posted.status} ${await posted.text()}`);
            await posted.arrayBuffer();
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      claimMs.sort((a, b) => a - b);
      const final = (await (await call(analyst, 'GET', `/v1/queues/${queueId}`)).json()) as { progress: { reviewsDone: number; complete: boolean } };
      const finished = claims === ITEMS * OVERLAP;
      const claimsPerSecond = Math.round(claims / seconds);
      return {
        items: ITEMS,
        overlap: OVERLAP,
        raters: RATERS,
        claims,
        doubleClaims: doubles,
        /** Every item given to exactly OVERLAP reviewers (only when the loop finished within the budget). */
        finished,
        itemsWithoutTheirReviews: finished ? keys.filter((k) => given.get(`item:${k}`) !== OVERLAP).length : null,
        queueComplete: final.progress.complete,
        reviewsDone: final.progress.reviewsDone,
        reviewsMatchClaims: final.progress.reviewsDone === claims,
        /** Claims per second of the whole loop (each claim followed by its review POST). */
        claimsPerSecond,
        /** Claim requests alone: 20 in flight, divided by the time spent waiting on claims. */
        claimOnlyPerSecond: Math.round(claims / (claimTotalMs / 1000 / RATERS)),
        claimP50ms: pct(claimMs, 0.5),
        claimP99ms: pct(claimMs, 0.99),
        healthPerSecond,
        claimCyclesVsHealth: Number((claimsPerSecond / healthPerSecond).toFixed(3)),
        seconds: Number(seconds.toFixed(1)),
      };
    } finally {
      await server.stop();
    }
  },
};

export default bench;
