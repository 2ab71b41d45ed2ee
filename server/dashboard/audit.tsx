/** @jsxImportSource hono/jsx */
/**
 * The audit log (admins only): who did what, when, from where, newest first, filtered by action,
 * paged by cursor. Read-only, like the log itself (server/audit/log.ts).
 */
import { Hono, type Context, type Next } from 'hono';
import { AUDIT_ACTIONS, listAudit, type AuditEntry } from '../audit/log.ts';
import { ApiError } from '../lib/errors.ts';
import type { DashEnv } from './env.ts';
import { qs, when } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

const PAGE = 100;

async function requireAdmin(c: Context<DashEnv>, next: Next) {
  if (c.get('auth').role !== 'admin') throw new ApiError(403, 'forbidden', 'Only admins can read the audit log.');
  await next();
}

function who(e: AuditEntry): string {
  if (e.actor.type === 'cli') return `CLI (${e.actor.id})`;
  return `${e.actor.name ?? e.actor.id}${e.actor.role ? ` (${e.actor.role})` : ''}`;
}

function detailsText(e: AuditEntry): string {
  if (!e.details) return '';
  return Object.entries(e.details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export const auditPage = new Hono<DashEnv>().use('/audit', requireAdmin).get('/audit', acceptsQuery('action', 'cursor'), async function auditLog(c) {
  const action = (AUDIT_ACTIONS as readonly string[]).includes(c.req.query('action') ?? '') ? c.req.query('action') : undefined;
  const cursor = /^[\w-]{1,100}$/.test(c.req.query('cursor') ?? '') ? c.req.query('cursor') : undefined;
  const { items, nextCursor } = await listAudit(c.get('store').db, c.get('auth').workspaceId, { limit: PAGE, before: cursor, action });
  return render(
    c,
    { title: 'Audit log', page: 'audit' },
    <>
      <form method="get" action={`${BASE}/audit`} class="filters">
        <label>
          Action
          <select name="action">
            <option value="">every action</option>
            {AUDIT_ACTIONS.map((a) => (
              <option value={a} selected={a === action ? true : undefined}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <p class="muted">
        Tokens, settings, webhooks, extension config, exports, imports, purges and erasures, by admins, analysts and the CLI.
        Append-only; entries are kept for the server’s AUDIT_RETENTION_DAYS.
      </p>
      {items.length === 0 ? (
        <Empty>Nothing recorded{action ? ` for ${action}` : ''}.</Empty>
      ) : (
        <table class="data" data-gt="audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr>
                <td>{when(e.at)}</td>
                <td>{who(e)}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.target ? <code>{`${e.target.type} ${e.target.id}`}</code> : '—'}</td>
                <td class="muted">{detailsText(e)}</td>
                <td>{`${e.via}${e.address ? ` · ${e.address}` : ''}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <p>
          <a href={`${BASE}/audit${qs({ action, cursor: nextCursor })}`} data-gt="audit-older">
            Older entries
          </a>
        </p>
      )}
    </>,
  );
});
