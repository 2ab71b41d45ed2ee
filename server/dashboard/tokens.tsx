/** @jsxImportSource hono/jsx */
/**
 * Tokens (admins only): create one (its secret is shown once, on the page that answers the POST,
 * and never stored), optionally with an expiry, list, revoke. Scoped to the admin's workspace;
 * creating and revoking are audited. Below them the public ingest keys (public-keys.tsx), made,
 * shown once and revoked the same way.
 */
import { Hono, type Context, type Next } from 'hono';
import { z } from 'zod';
import { Role } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { createToken, listTokens, revokeToken, tokenExpired } from '../store/tokens.ts';
import { createPublicKey, listPublicKeys, revokePublicKey } from '../store/public-keys.ts';
import { PublicKeysPanel, parsePublicKeyForm } from './public-keys.tsx';
import type { DashEnv } from './env.ts';
import { when } from './format.ts';
import { BASE, CsrfField, Empty, Notice } from './layout.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

async function requireAdmin(c: Context<DashEnv>, next: Next) {
  if (c.get('auth').role !== 'admin') throw new ApiError(403, 'forbidden', 'Only admins can see and manage tokens.');
  await next();
}

/** The expiries the form offers, in days; '' = never. */
const EXPIRIES = { '': 0, '7d': 7, '30d': 30, '90d': 90, '365d': 365 } as const;

const NewToken = z.object({
  name: z.string().trim().min(1, 'give the token a name').max(100, 'at most 100 characters'),
  role: Role,
  expires: z.enum(Object.keys(EXPIRIES) as [keyof typeof EXPIRIES], { error: 'pick an expiry from the list' }).default(''),
});

async function tokensView(c: Context<DashEnv>, notice?: { kind: 'ok' | 'error'; text: string; token?: string }, status: 200 | 201 | 422 = 200) {
  const auth = c.get('auth');
  const tokens = await listTokens(c.get('store').db, auth.workspaceId);
  const publicKeys = await listPublicKeys(c.get('store').db, auth.workspaceId);
  const csrf = c.get('session').csrf;
  return render(
    c,
    { title: 'Tokens', page: 'tokens' },
    <>
      {notice && (
        <Notice kind={notice.kind}>
          {notice.text}
          {notice.token && (
            <div class="new-token">
              <p>Copy it now: it is shown only this once and cannot be recovered.</p>
              <code id="new-token" data-gt="new-token">
                {notice.token}
              </code>{' '}
              <button type="button" class="secondary" data-copy="new-token">
                Copy
              </button>
            </div>
          )}
        </Notice>
      )}
      <section class="panel">
        <h2>Create a token</h2>
        <form method="post" action={`${BASE}/tokens`} class="filters">
          <CsrfField csrf={csrf} />
          <label>
            Name <input type="text" name="name" required maxlength={100} placeholder="alice's laptop" />
          </label>
          <label>
            Role
            <select name="role">
              <option value="rater">rater — rates in the extension</option>
              <option value="analyst">analyst — reads everything, dashboard</option>
              <option value="admin">admin — also tokens and deletion</option>
            </select>
          </label>
          <label>
            Expires
            <select name="expires" data-gt="token-expires">
              <option value="">never</option>
              <option value="7d">in 7 days</option>
              <option value="30d">in 30 days</option>
              <option value="90d">in 90 days</option>
              <option value="365d">in a year</option>
            </select>
          </label>
          <button type="submit" data-gt="create-token">
            Create
          </button>
        </form>
      </section>
      {tokens.length === 0 ? (
        <Empty>No tokens.</Empty>
      ) : (
        <table class="data" data-gt="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Starts with</th>
              <th>Rater id</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>State</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr class={t.revokedAt ? 'thin' : undefined}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>
                  <code>{t.raterId}</code>
                </td>
                <td>{when(t.createdAt)}</td>
                <td>{when(t.lastUsedAt)}</td>
                <td>{t.expiresAt ? `${tokenExpired(t) ? 'expired' : 'expires'} ${when(t.expiresAt)}` : 'never'}</td>
                <td>
                  {t.revokedAt ? `revoked ${when(t.revokedAt)}` : tokenExpired(t) ? 'expired' : t.id === c.get('auth').id ? 'active (yours)' : 'active'}
                </td>
                <td>
                  {!t.revokedAt && (
                    <form method="post" action={`${BASE}/tokens/${encodeURIComponent(t.id)}/revoke`} data-confirm="Revoke this token? Whoever uses it is signed out at once.">
                      <CsrfField csrf={csrf} />
                      <button type="submit" class="danger" data-gt="revoke">
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PublicKeysPanel keys={publicKeys} csrf={csrf} />
    </>,
    status,
  );
}

export const tokensPage = new Hono<DashEnv>()
  .use('/tokens', requireAdmin)
  .use('/tokens/*', requireAdmin)
  .get('/tokens', acceptsQuery(), (c) => tokensView(c))
  .post('/tokens', async function createTokenForm(c) {
    const body = await c.req.parseBody();
    const input = NewToken.safeParse({ name: body.name, role: body.role, expires: body.expires || undefined });
    if (!input.success) return tokensView(c, { kind: 'error', text: `Not created: ${input.error.issues[0]?.message ?? 'invalid input'}.` }, 422);
    const auth = c.get('auth');
    const days = EXPIRIES[input.data.expires];
    const expiresAt = days ? new Date(clockNow().getTime() + days * 86_400_000).toISOString() : null;
    const { token, info } = await createToken(c.get('store').db, { name: input.data.name, role: input.data.role, workspaceId: auth.workspaceId, expiresAt });
    await audit(c, 'token.created', { type: 'token', id: info.id }, { role: info.role, raterId: info.raterId, expiresAt: info.expiresAt });
    return tokensView(c, { kind: 'ok', text: `Created the ${info.role} token "${info.name}".`, token }, 201);
  })
  .post('/tokens/public-keys', async function createPublicKeyForm(c) {
    const parsed = parsePublicKeyForm(await c.req.parseBody());
    if ('error' in parsed) return tokensView(c, { kind: 'error', text: `Public key not created: ${parsed.error}.` }, 422);
    const auth = c.get('auth');
    const { key, info } = await createPublicKey(c.get('store').db, { ...parsed.input, workspaceId: auth.workspaceId, createdBy: auth.id });
    await audit(c, 'public_key.created', { type: 'public_key', id: info.id }, { origins: info.origins, ratePerMinute: info.ratePerMinute, hashesOnly: info.hashesOnly });
    return tokensView(c, { kind: 'ok', text: `Created the public key "${info.name}" for ${info.origins.join(', ')}.`, token: key }, 201);
  })
  .post('/tokens/public-keys/:id/revoke', async function revokePublicKeyForm(c) {
    const auth = c.get('auth');
    const id = c.req.param('id');
    if (!(await revokePublicKey(c.get('store').db, id, auth.workspaceId))) throw new ApiError(404, 'not_found', 'No live public key with that id in this workspace.');
    await audit(c, 'public_key.revoked', { type: 'public_key', id });
    return c.redirect(`${BASE}/tokens`, 303);
  })
  .post('/tokens/:id/revoke', async function revokeTokenForm(c) {
    const auth = c.get('auth');
    const id = c.req.param('id');
    const done = await revokeToken(c.get('store').db, id, auth.workspaceId);
    if (!done) throw new ApiError(404, 'not_found', 'No active token with that id in this workspace.');
    await audit(c, 'token.revoked', { type: 'token', id });
    if (id === auth.id) return c.redirect(BASE, 303); // revoked their own: the session is gone with it
    return c.redirect(`${BASE}/tokens`, 303);
  });
