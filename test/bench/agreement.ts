/**
 * Issue 16 (item 3): GET /v1/queues/:id/agreement for a queue of BENCH_AGREEMENT_ITEMS (10,000)
 * items with 2–3 reviews each on two criteria (thumbs `overall`, stars `quality`) among 20
 * reviewers, in-process through app.request (median of 5), against GET /healthz in the same run.
 * The queue, its items and the reviews are written straight into the store (a chunk per insert),
 * as the queue and write paths would leave them; other workspaces' and other queues' rows are there
 * too, so the route must read only its own (feedback_ws_queue). SQLite, then PostgreSQL when reachable.
 */
import { createApp } from '../../server/app.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import type { FeedbackTable } from '../../server/store/schema.ts';
import { withQueueTables, type QueueItemsTable } from '../../server/store/queue-tables.ts';
import { createToken, ensureWorkspace } from '../../server/store/tokens.ts';
import { columnsFromRecord } from '../../shared/feedback-fields.ts';
import { tempDir } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import type { Bench } from './index.ts';
import { rng } from './rng.ts';

const ITEMS = Number(process.env.BENCH_AGREEMENT_ITEMS ?? 10_000);
const RATERS = 20;
const QUEUE = 'q-bench';

let seq = 0;
function review(workspace: string, queueId: string, key: string, rater: string, criterion: string, rating: Record<string, unknown>): FeedbackTable {
  const n = seq++;
  const id = `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
  const at = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
  const input = {
    id,
    target: { kind: 'chat_response', key, site: 'chatgpt', model: 'gpt-5', conversationId: `conv-${key}`, prompt: `question ${key}`, output: `answer ${key}` },
    rating,
    criterion,
    queueId,
    createdAt: at,
    updatedAt: at,
  };
  return {
    ...columnsFromRecord(input),
    workspace_id: workspace,
    rater_id: rater,
    client_id: null,
    source_channel: 'api',
    received_at: at,
    record: JSON.stringify(input),
    content_hash: id,
  } as FeedbackTable;
}

export async function seed(store: Store): Promise<{ seconds: number; reviews: number }> {
  const started = performance.now();
  await ensureWorkspace(store.db, 'default');
  await ensureWorkspace(store.db, 'other');
  const db = withQueueTables(store.db);
  for (const [workspace, id] of [['default', QUEUE], ['default', 'q-other'], ['other', 'q-foreign']] as const) {
    await db
      .insertInto('queues')
      .values({
        id, workspace_id: workspace, name: id, filter: null, item_keys: null, reviewers_per_item: 3, blind: 0,
        criteria: JSON.stringify(['overall', 'quality']), assignees: null, due_at: null, lease_seconds: 600,
        created_by: 'bench', created_at: '2026-01-01T00:00:00.000Z', completed_at: null,
      })
      .execute();
  }
  const next = rng(16);
  let reviews = 0;
  const CHUNK = 500;
  for (let from = 0; from < ITEMS; from += CHUNK) {
    const items: QueueItemsTable[] = [];
    const rows: FeedbackTable[] = [];
    for (let i = from; i < Math.min(ITEMS, from + CHUNK); i++) {
      const key = `t-${i}`;
      items.push({ queue_id: QUEUE, workspace_id: 'default', position: i, target_key: key, item_id: null, target: JSON.stringify({ kind: 'chat_response', key }), reviews: 0 });
      const truth = next() < 0.7 ? 'up' : 'down';
      const stars = 1 + Math.floor(next() * 5);
      const count = i % 3 === 0 ? 3 : 2;
      const first = Math.floor(next() * RATERS);
      for (let r = 0; r < count; r++) {
        const rater = `rater-${(first + r * 7) % RATERS}`;
        const thumb = next() < 0.8 ? truth : truth === 'up' ? 'down' : 'up';
        const s = Math.min(5, Math.max(1, stars + (next() < 0.3 ? (next() < 0.5 ? -1 : 1) : 0)));
        rows.push(review('default', QUEUE, key, rater, 'overall', { thumb }));
        rows.push(review('default', QUEUE, key, rater, 'quality', { stars: s }));
        reviews += 2;
      }
      // Noise the route must not read: another queue of the workspace, another workspace's queue.
      if (i % 10 === 0) rows.push(review('default', 'q-other', key, 'noise-rater', 'overall', { thumb: 'up' }));
      if (i % 10 === 5) rows.push(review('other', 'q-foreign', key, 'rater-1', 'overall', { thumb: 'down' }));
    }
    await store.db.transaction().execute(async (trx) => {
      await withQueueTables(trx).insertInto('queue_items').values(items).execute();
      for (let i = 0; i < rows.length; i += 250) await trx.insertInto('feedback').values(rows.slice(i, i + 250)).execute();
    });
  }
  return { seconds: (performance.now() - started) / 1000, reviews };
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(ms.length / 2)]! * 100) / 100;
}

async function measure(store: Store): Promise<Record<string, unknown>> {
  seq = 0;
  const seeded = await seed(store);
  const app = createApp({ store });
  const { token } = await createToken(store.db, { role: 'analyst', workspaceId: 'default', name: 'bench' });
  const get = async (url: string) => {
    const res = await app.request(url, { headers: { Authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const body = (await get(`/v1/queues/${QUEUE}/agreement`)) as { items: number; criteria: { criterion: string; reviews: number; alpha: { value: number | null; items: number }; pairs: unknown[]; disputedTotal: number }[] };
  const baselineMs = await median(5, () => get('/healthz'));
  const agreementMs = await median(5, () => get(`/v1/queues/${QUEUE}/agreement`));
  const oneCriterionMs = await median(3, () => get(`/v1/queues/${QUEUE}/agreement?criterion=overall`));
  return {
    items: body.items,
    reviews: seeded.reviews,
    seedSeconds: Math.round(seeded.seconds * 10) / 10,
    criteria: body.criteria.map((c) => ({ criterion: c.criterion, reviews: c.reviews, alpha: c.alpha.value && Math.round(c.alpha.value * 1000) / 1000, units: c.alpha.items, pairs: c.pairs.length, disputed: c.disputedTotal })),
    baselineMs,
    agreementMs,
    oneCriterionMs,
    ratio: Math.round((agreementMs / Math.max(baselineMs, 0.01)) * 10) / 10,
  };
}

const bench: Bench = {
  name: 'agreement',
  description: `GET /v1/queues/:id/agreement for a queue of ${ITEMS.toLocaleString('en')} items, 2–3 reviews each on two criteria, against GET /healthz`,
  async run() {
    const out: Record<string, unknown> = {};
    const sqlite = await openStore({ dataDir: tempDir('gt-bench-agreement-') });
    try {
      out.sqlite = await measure(sqlite);
    } finally {
      await sqlite.close();
    }
    let url: string | undefined;
    try {
      url = await freshPostgresUrl('bench_agreement');
      const pg = await openStore({ databaseUrl: url, poolSize: 4 });
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
