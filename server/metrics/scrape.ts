/**
 * What `/metrics` reads from the store at scrape time (issue 18): the feedback figures of the last
 * 7 UTC days per workspace and model — through insights/accuracy.ts, i.e. from rollup_daily, never
 * a scan of the feedback — the webhook outbox depth and, on PostgreSQL, the pool.
 */
import type { Kysely } from 'kysely';
import { clockNow } from '../lib/clock.ts';
import { accuracy, type AccuracyGroup } from '../insights/accuracy.ts';
import { withInsightsTables } from '../insights/tables.ts';
import { withGovernance } from '../store/governance-tables.ts';
import type { Store } from '../store/open.ts';
import type { DB } from '../store/schema.ts';
import { withHealth } from '../health/tables.ts';
import { feedbackRatings, feedbackShareUp, feedbackThumbs, indexerLag, poolInUse, poolWaiting, registry, sitesBroken, webhookQueueDepth, workQueuePending } from './registry.ts';
import { queueLag } from '../store/work-queue.ts';

/** Models kept per workspace; the rest are summed as model="other". */
export const TOP_MODELS = 50;
export const WINDOW_DAYS = 7;

/** The window's first instant: UTC midnight 6 days before today (7 UTC days with today). */
export function windowSince(now: Date = clockNow()): string {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (WINDOW_DAYS - 1) * 86_400_000;
  return new Date(day).toISOString();
}

interface ModelFigures {
  model: string;
  ratings: number;
  up: number;
  down: number;
}

/** The 50 busiest models by ratings (ties by name), the rest folded into `other`. */
export function foldModels(groups: readonly AccuracyGroup[], top = TOP_MODELS): ModelFigures[] {
  const rows = groups
    .map((g) => ({ model: g.key.model ?? '', ratings: g.ratings, up: g.up, down: g.down }))
    .sort((a, b) => b.ratings - a.ratings || (a.model < b.model ? -1 : 1));
  const kept = rows.slice(0, top);
  const rest = rows.slice(top);
  if (rest.length === 0) return kept;
  const other = kept.find((r) => r.model === 'other') ?? (kept.push({ model: 'other', ratings: 0, up: 0, down: 0 }), kept.at(-1)!);
  for (const r of rest) {
    other.ratings += r.ratings;
    other.up += r.up;
    other.down += r.down;
  }
  return kept;
}

async function feedbackFigures(db: Kysely<DB>, since: string) {
  const workspaces = await withInsightsTables(db)
    .selectFrom('rollup_daily')
    .select('workspace_id')
    .distinct()
    .where('day', '>=', since.slice(0, 10))
    .execute();
  feedbackRatings.reset();
  feedbackThumbs.reset();
  feedbackShareUp.reset();
  for (const { workspace_id: workspace } of workspaces) {
    const result = await accuracy(db, workspace, { since, groupBy: ['model'] });
    for (const m of foldModels(result.groups)) {
      const labels = { workspace, model: m.model };
      feedbackRatings.set(labels, m.ratings);
      feedbackThumbs.set({ ...labels, thumb: 'up' }, m.up);
      feedbackThumbs.set({ ...labels, thumb: 'down' }, m.down);
      if (m.up + m.down > 0) feedbackShareUp.set(labels, m.up / (m.up + m.down));
    }
  }
}

async function outboxDepth(db: Kysely<DB>) {
  const row = await withGovernance(db)
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  webhookQueueDepth.set(Number(row?.n ?? 0));
}

async function openIncidents(db: Kysely<DB>) {
  const rows = await withHealth(db)
    .selectFrom('site_incidents')
    .select(['workspace_id', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ended_at', 'is', null)
    .groupBy(['workspace_id', 'reason'])
    .execute();
  sitesBroken.reset();
  for (const r of rows) sitesBroken.set({ workspace: r.workspace_id, reason: r.reason }, Number(r.n));
}

async function workQueue(db: Kysely<DB>) {
  const lag = await queueLag(db);
  indexerLag.set(lag.oldestSeconds);
  workQueuePending.set(lag.pending);
}

/** Sets the store-read gauges, then renders the registry in the Prometheus text format. */
export async function scrape(store: Store): Promise<string> {
  await Promise.all([feedbackFigures(store.db, windowSince()), outboxDepth(store.db), openIncidents(store.db), workQueue(store.db)]);
  if (store.pool) {
    poolInUse.set(store.pool.totalCount - store.pool.idleCount);
    poolWaiting.set(store.pool.waitingCount);
  }
  return registry.metrics();
}

export const CONTENT_TYPE = registry.contentType;
