/**
 * The audit log (issue 13, item 10): who did what, when and from where, for admin and analyst
 * actions over the API and the dashboard and for the CLI's. Append-only: this module only adds
 * and reads entries (and retention removes old ones); migration 0110's trigger refuses an UPDATE.
 * An entry names people by id only (token id, rater id) apart from the acting token's own name,
 * and never carries a rater's text.
 */
import type { Kysely, Transaction } from 'kysely';
import { clockNow } from '../lib/clock.ts';
import { monotonicKey } from '../lib/monotonic-key.ts';
import type { DB } from '../store/schema.ts';

export interface AuditLogTable {
  id: string;
  workspace_id: string;
  at: string;
  actor_type: 'token' | 'cli';
  actor_id: string;
  actor_name: string | null;
  actor_role: string | null;
  via: AuditVia;
  address: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON object text. */
  details: string | null;
}

type AuditTables = { audit_log: AuditLogTable };

export function withAudit(db: Kysely<DB> | Transaction<DB>): Kysely<DB & AuditTables> {
  return (db as Kysely<DB>).withTables<AuditTables>();
}

export type AuditVia = 'api' | 'dashboard' | 'cli';

/** What is audited. `<object>.<verb>`; the list is the contract of GET /v1/audit's `action` filter. */
export const AUDIT_ACTIONS = [
  'token.created',
  'token.revoked',
  'connect_code.created',
  'connect_code.used',
  'public_key.created',
  'public_key.revoked',
  'feedback_link.created',
  'feedback_link.revoked',
  'feedback_link.exported',
  'feedback_link.erased',
  'settings.changed',
  'webhook.created',
  'webhook.deleted',
  'extension_config.published',
  'export.created',
  'rater.exported',
  'rater.erased',
  'import.completed',
  'purge.completed',
  'queue.adjudicated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor {
  type: 'token' | 'cli';
  /** The token id, or the OS user who ran the CLI. */
  id: string;
  name: string | null;
  role: string | null;
}

export interface AuditInput {
  workspaceId: string;
  actor: AuditActor;
  via: AuditVia;
  address: string | null;
  action: AuditAction;
  target?: { type: string; id: string };
  details?: Record<string, unknown>;
  at?: Date;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: AuditActor;
  via: AuditVia;
  address: string | null;
  action: string;
  target: { type: string; id: string } | null;
  details: Record<string, unknown> | null;
}

export async function recordAudit(db: Kysely<DB> | Transaction<DB>, input: AuditInput): Promise<void> {
  const at = input.at ?? clockNow();
  await withAudit(db)
    .insertInto('audit_log')
    .values({
      // Arrival order, also for several entries in one millisecond (ids are the paging cursor).
      id: monotonicKey(at.getTime()),
      workspace_id: input.workspaceId,
      at: at.toISOString(),
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      actor_name: input.actor.name,
      actor_role: input.actor.role,
      via: input.via,
      address: input.address,
      action: input.action,
      target_type: input.target?.type ?? null,
      target_id: input.target?.id ?? null,
      details: input.details === undefined ? null : JSON.stringify(input.details),
    })
    .execute();
}

function toEntry(r: AuditLogTable): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name, role: r.actor_role },
    via: r.via,
    address: r.address,
    action: r.action,
    target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  };
}

/** One workspace's entries, newest first; `before` is the previous page's nextCursor. */
export async function listAudit(
  db: Kysely<DB>,
  workspaceId: string,
  { limit, before, action }: { limit: number; before?: string; action?: string },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  let q = withAudit(db).selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
  if (before) q = q.where('id', '<', before);
  if (action) q = q.where('action', '=', action);
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { items: page.map(toEntry), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** The log's own retention: removes entries older than `before`; returns how many. */
export async function purgeAuditBefore(db: Kysely<DB>, before: Date): Promise<number> {
  const res = await withAudit(db).deleteFrom('audit_log').where('at', '<', before.toISOString()).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** A URL as the log keeps it: its origin only (a receiver's secret often sits in the path or query). */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unreadable)';
  }
}
