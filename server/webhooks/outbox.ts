/**
 * The webhook outbox. Deliveries are rows written in the same transaction as the change that
 * caused them (`webhookOutbox`, a projection of every opened store: store/projections.ts), so a
 * committed change always gets its deliveries and a rolled-back one never does; the worker sends
 * them later, off the request path.
 */
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import { rowToFeedback } from '../store/feedback-read.ts';
import { withGovernance, type WebhookDeliveriesTable, type WebhooksTable } from '../store/governance-tables.ts';
import type { DB, FeedbackTable } from '../store/schema.ts';
import { DEFAULT_LOW_STARS_THRESHOLD, type WebhookEvent, type WebhookPayload } from './events.ts';

function subscribed(hook: WebhooksTable, event: WebhookEvent): boolean {
  return (JSON.parse(hook.events) as string[]).includes(event);
}

function live(row: FeedbackTable | null): row is FeedbackTable {
  return !!row && row.deleted === 0 && !!row.record;
}

/**
 * Which feedback events one change raises for one webhook: only on becoming negative / low, never
 * again on edits. Only people's ratings raise them (issue 16): feedback.negative and
 * feedback.low_stars tell someone a user was unhappy, and an LLM judge grading a batch of answers
 * (source.type `model`) would flood a receiver with verdicts nobody felt; judges are read through
 * GET /v1/insights/calibration instead.
 */
export function feedbackEventsFor(change: FeedbackChange, hook: Pick<WebhooksTable, 'events' | 'threshold'>): WebhookEvent[] {
  const { before, after } = change;
  if (!live(after) || after.source_type === 'model') return [];
  const was = live(before) ? before : null;
  const out: WebhookEvent[] = [];
  const events = JSON.parse(hook.events) as string[];
  if (events.includes('feedback.negative') && after.thumb === 'down' && was?.thumb !== 'down') out.push('feedback.negative');
  const threshold = hook.threshold ?? DEFAULT_LOW_STARS_THRESHOLD;
  const low = (stars: number | null | undefined) => stars != null && stars <= threshold;
  if (events.includes('feedback.low_stars') && low(after.stars) && !low(was?.stars)) out.push('feedback.low_stars');
  return out;
}

function delivery(
  hook: WebhooksTable,
  event: WebhookEvent,
  data: Record<string, unknown>,
  now: Date,
  owner?: { feedbackId: string; raterId: string },
): WebhookDeliveriesTable {
  const id = uuidv7(now.getTime());
  const createdAt = now.toISOString();
  const payload: WebhookPayload = { id, type: event, createdAt, workspaceId: hook.workspace_id, data };
  return {
    id,
    webhook_id: hook.id,
    workspace_id: hook.workspace_id,
    event,
    feedback_id: owner?.feedbackId ?? null,
    rater_id: owner?.raterId ?? null,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    next_attempt_at: createdAt,
    last_attempt_at: null,
    last_status_code: null,
    last_error: null,
    created_at: createdAt,
    delivered_at: null,
  };
}

/** What the change listener does: enqueues feedback.negative / feedback.low_stars deliveries. */
export async function enqueueFeedbackDeliveries(trx: Transaction<DB>, changes: FeedbackChange[], now = new Date()): Promise<number> {
  // Cheap filter first: most batches hold no negative vote and cost no extra query.
  const candidates = changes.filter((c) => live(c.after) && (c.after.thumb === 'down' || (c.after.stars != null && c.after.stars <= 4)));
  if (!candidates.length) return 0;
  const db = withGovernance(trx);
  const workspaces = [...new Set(candidates.map((c) => c.after.workspace_id))];
  const hooks = await db.selectFrom('webhooks').selectAll().where('workspace_id', 'in', workspaces).execute();
  if (!hooks.length) return 0;
  const rows: WebhookDeliveriesTable[] = [];
  for (const change of candidates) {
    for (const hook of hooks) {
      if (hook.workspace_id !== change.after.workspace_id) continue;
      for (const event of feedbackEventsFor(change, hook)) {
        rows.push(
          delivery(hook, event, { feedback: rowToFeedback(change.after) }, now, {
            feedbackId: change.after.id,
            raterId: change.after.rater_id,
          }),
        );
      }
    }
  }
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('webhook_deliveries').values(rows.slice(i, i + 200)).execute();
  return rows.length;
}

/**
 * Enqueues `event` with `data` for every webhook of the workspace that asked for it, in the
 * caller's transaction when it passes one (events about the workspace as a whole, not about one
 * rater's feedback: export.completed, site.broken, site.recovered). Returns how many deliveries
 * were enqueued.
 */
export async function enqueueWorkspaceEvent(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
  event: WebhookEvent,
  data: Record<string, unknown>,
  now = new Date(),
): Promise<number> {
  const gov = withGovernance(db as Kysely<DB>);
  const hooks = (await gov.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).execute()).filter((h) =>
    subscribed(h, event),
  );
  if (!hooks.length) return 0;
  await gov.insertInto('webhook_deliveries').values(hooks.map((h) => delivery(h, event, data, now))).execute();
  return hooks.length;
}

/**
 * Enqueues `export.completed` for every webhook of the workspace that asked for it. For the
 * exports module (server/exports/): call it when an export run has been recorded, with what a
 * receiver needs (run id, format, filters, counts, manifest); pass the transaction that records
 * the run if there is one. Returns how many deliveries were enqueued.
 */
export function enqueueExportCompleted(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
  data: Record<string, unknown>,
  now = new Date(),
): Promise<number> {
  return enqueueWorkspaceEvent(db, workspaceId, 'export.completed', data, now);
}

/** The change listener (store/projections.ts attaches it to every opened store). */
export async function webhookOutbox(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void> {
  await enqueueFeedbackDeliveries(trx, changes);
}
