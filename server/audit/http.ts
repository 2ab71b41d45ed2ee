/**
 * Auditing from a request: the actor is the request's token (bearer or dashboard session), the
 * place is the client address (TRUST_PROXY-aware) and the door (API or dashboard). Called by a
 * route after its action succeeded, so refused requests leave no entry.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../lib/types.ts';
import { recordAudit, type AuditAction } from './log.ts';

/** The API's context or one that extends it (the dashboard's). */
type AuditEnv = { Variables: Pick<AppEnv['Variables'], 'auth' | 'store' | 'client'> };

export async function audit<E extends AuditEnv>(
  ctx: Context<E>,
  action: AuditAction,
  target?: { type: string; id: string },
  details?: Record<string, unknown>,
): Promise<void> {
  const c = ctx as unknown as Context<AppEnv>;
  const auth = c.get('auth');
  const client = c.get('client');
  await recordAudit(c.get('store').db, {
    workspaceId: auth.workspaceId,
    actor: { type: 'token', id: auth.id, name: auth.name, role: auth.role },
    via: client?.via ?? 'api',
    address: client?.address ?? null,
    action,
    target,
    details,
  });
}
