/**
 * Issue 18: the cost of metrics and request logging (server/metrics/http.ts) on the single-POST
 * path. Two servers from the same build in the same run — one as shipped (JSON log lines at info to
 * a pipe, counters, histograms), one with the middleware off (GT_OBSERVE=off, a measuring knob) —
 * take single POST /v1/feedback at 32 in flight, alternately, three rounds each; the ratio is
 * observed ÷ bare throughput (1.0 = free). `GT_OBSERVE_LEVEL=silent` keeps the metrics and drops the
 * log lines of the observed server, to tell the two costs apart.
 */
import { uuidv7 } from '../../shared/ids.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import type { Bench } from './index.ts';

const TOTAL = Number(process.env.GT_OBSERVE_REQUESTS ?? 3000);
const ROUNDS = 3;

function body(i: number): string {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return JSON.stringify({
    id: uuidv7(),
    target: { kind: 'chat_response', key: `chatgpt:msg-${i}-${Math.random().toString(36).slice(2)}`, site: 'chatgpt', model: i % 2 ? 'gpt-5' : 'gpt-4o', conversationId: `conv-${i % 97}`, prompt: `Question ${i}?`, output: `Answer ${i}`.padEnd(400, ' x') },
    rating: { thumb: i % 3 ? 'up' : 'down' },
    createdAt: at,
    updatedAt: at,
  });
}

async function posts(server: ServerHandle, token: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < TOTAL) {
        const i = next++;
        const res = await fetch(`${server.url}/v1/feedback`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body(i) });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`status ${res.status}`);
      }
    }),
  );
  return TOTAL / ((performance.now() - started) / 1000);
}

const bench: Bench = {
  name: 'observe',
  description: `single POST /v1/feedback at 32 in flight with metrics + JSON request logs vs without (${ROUNDS}×${TOTAL} each, alternating)`,
  async run() {
    const observed = await startServer({ env: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: process.env.GT_OBSERVE_LEVEL ?? 'info' } });
    const bare = await startServer({ env: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'info', GT_OBSERVE: 'off' } });
    try {
      const tokens = [await observed.createToken('rater', 'bench'), await bare.createToken('rater', 'bench')];
      const rates = { observed: [] as number[], bare: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        rates.observed.push(await posts(observed, tokens[0]!));
        rates.bare.push(await posts(bare, tokens[1]!));
      }
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      // The first round warms each server up; the ratio is over the later ones.
      const o = sum(rates.observed.slice(1)) / (ROUNDS - 1);
      const b = sum(rates.bare.slice(1)) / (ROUNDS - 1);
      return {
        observedPerSecond: rates.observed.map(Math.round),
        barePerSecond: rates.bare.map(Math.round),
        ratio: Number((o / b).toFixed(3)),
        goal: '>= 0.9',
      };
    } finally {
      await Promise.all([observed.stop(), bare.stop()]);
    }
  },
};
export default bench;
