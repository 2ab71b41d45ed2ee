/** Webhooks and their delivery log, always scoped to one workspace. Dialect-neutral Kysely. */
import type { Kysely } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import { withGovernance, type WebhookAttemptsTable, type WebhookDeliveriesTable, type WebhooksTable } from '../store/governance-tables.ts';
import type { DB } from '../store/schema.ts';
import type { WebhookEvent } from './events.ts';
import { newWebhookSecret } from './signature.ts';

export interface WebhookInfo {
  id: string;
  url: string;
  events: WebhookEvent[];
  threshold: number | null;
  createdAt: string;
}

function toInfo(row: WebhooksTable): WebhookInfo {
  return { id: row.id, url: row.url, events: JSON.parse(row.events), threshold: row.threshold, createdAt: row.created_at };
}

export async function createWebhook(
  db: Kysely<DB>,
  input: { workspaceId: string; url: string; events: WebhookEvent[]; threshold?: number | null; createdBy?: string | null },
): Promise<WebhookInfo & { secret: string }> {
  const row: WebhooksTable = {
    id: uuidv7(),
    workspace_id: input.workspaceId,
    url: input.url,
    events: JSON.stringify([...new Set(input.events)]),
    threshold: input.threshold ?? null,
    secret: newWebhookSecret(),
    created_at: new Date().toISOString(),
    created_by: input.createdBy ?? null,
  };
  await withGovernance(db).insertInto('webhooks').values(row).execute();
  return { ...toInfo(row), secret: row.secret };
}

export async function listWebhooks(db: Kysely<DB>, workspaceId: string): Promise<WebhookInfo[]> {
  const rows = await withGovernance(db).selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
  return rows.map(toInfo);
}

export async function getWebhook(db: Kysely<DB>, workspaceId: string, id: string): Promise<WebhookInfo | undefined> {
  const row = await withGovernance(db).selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row && toInfo(row);
}

/** Deletes the webhook with its pending deliveries and its log. False when there is no such webhook here. */
export async function deleteWebhook(db: Kysely<DB>, workspaceId: string, id: string): Promise<boolean> {
  return withGovernance(db)
    .transaction()
    .execute(async (trx) => {
      const res = await trx.deleteFrom('webhooks').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      await trx.deleteFrom('webhook_attempts').where('webhook_id', '=', id).execute();
      await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      return true;
    });
}

export interface DeliveryInfo {
  id: string;
  event: string;
  status: WebhookDeliveriesTable['status'];
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  payload: unknown;
  log: { at: string; statusCode: number | null; error: string | null; durationMs: number }[];
}

/** The delivery log of one webhook, newest first, each delivery with its attempts. */
export async function listDeliveries(
  db: Kysely<DB>,
  webhookId: string,
  { limit, before }: { limit: number; before?: string },
): Promise<{ items: DeliveryInfo[]; nextCursor: string | null }> {
  const gov = withGovernance(db);
  let q = gov.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
  if (before) q = q.where('id', '<', before);
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const attempts: WebhookAttemptsTable[] = page.length
    ? await gov.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', page.map((r) => r.id)).orderBy('id').execute()
    : [];
  const byDelivery = new Map<string, WebhookAttemptsTable[]>();
  for (const a of attempts) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  return {
    items: page.map((r) => ({
      id: r.id,
      event: r.event,
      status: r.status,
      attempts: r.attempts,
      createdAt: r.created_at,
      lastAttemptAt: r.last_attempt_at,
      nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      deliveredAt: r.delivered_at,
      payload: JSON.parse(r.payload),
      log: (byDelivery.get(r.id) ?? []).map((a) => ({ at: a.at, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
