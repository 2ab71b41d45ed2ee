/** @jsxImportSource hono/jsx */
/**
 * "Connect a browser" (/dashboard/connect, the rater area; issue 15, item 3; ADR 0049): the
 * signed-in person makes a one-time code (store/connect-codes.ts), shown once with its expiry and
 * the server's address, and types both into the extension's options; the browser then holds its
 * own rater token with the person's rater id. Below, the person's browsers (their tokens), each
 * revocable by them. Forms carry the session's CSRF field (index.ts checks it); making a code and
 * revoking are audited.
 */
import { Hono, type Context } from 'hono';
import { audit } from '../audit/http.ts';
import { publicUrl } from '../env.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { createConnectCode, raterTokens, type NewConnectCode } from '../store/connect-codes.ts';
import { revokeToken, tokenExpired } from '../store/tokens.ts';
import type { DashEnv } from './env.ts';
import { when } from './format.ts';
import { BASE, CsrfField, Empty } from './layout.tsx';
import { acceptsQuery } from './page-query.ts';
import { render } from './render.tsx';

async function connectView(c: Context<DashEnv>, made?: NewConnectCode, status: 200 | 201 = 200) {
  const auth = c.get('auth');
  const csrf = c.get('session').csrf;
  const tokens = await raterTokens(c.get('store').db, auth.workspaceId, auth.raterId);
  const server = publicUrl();
  return render(
    c,
    { title: 'Connect a browser', page: 'connect' },
    <>
      <section class="panel" data-gt="connect-panel">
        <h2>Make a code</h2>
        <p>
          Make a code, then open the Groundtruth extension's options in the browser to connect, choose <strong>Connect with a code</strong>, and type the server's
          address and the code. That browser then rates as you (rater <code>{auth.raterId}</code>); no token to copy or paste.
        </p>
        {made ? (
          <div class="new-token" role="status">
            <p>
              Code: <code data-gt="connect-code">{made.code}</code>
            </p>
            <p>
              Server address: <code data-gt="connect-server">{server}</code>
            </p>
            <p>
              It works once, until <time data-gt="connect-expires" datetime={made.expiresAt}>{when(made.expiresAt)}</time> (10 minutes). It is shown only now.
            </p>
          </div>
        ) : null}
        <form method="post" action={`${BASE}/connect`}>
          <CsrfField csrf={csrf} />
          <button type="submit" data-gt="make-connect-code">
            {made ? 'Make another code' : 'Make a code'}
          </button>
        </form>
      </section>
      <section class="panel">
        <h2>Your browsers</h2>
        {tokens.length === 0 ? (
          <Empty>No browsers yet.</Empty>
        ) : (
          <table class="data" data-gt="my-browsers">
            <thead>
              <tr>
                <th>Name</th>
                <th>Starts with</th>
                <th>Connected</th>
                <th>Last used</th>
                <th>State</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr class={t.revokedAt ? 'thin' : undefined} data-token-id={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{when(t.createdAt)}</td>
                  <td>{when(t.lastUsedAt)}</td>
                  <td>{t.revokedAt ? `revoked ${when(t.revokedAt)}` : tokenExpired(t) ? 'expired' : t.id === auth.id ? 'active (this sign-in)' : 'active'}</td>
                  <td>
                    {!t.revokedAt && (
                      <form
                        method="post"
                        action={`${BASE}/connect/tokens/${encodeURIComponent(t.id)}/revoke`}
                        data-confirm={t.id === auth.id ? 'Revoke the token you signed in with? You are signed out at once.' : 'Revoke this browser? It stops syncing at once.'}
                      >
                        <CsrfField csrf={csrf} />
                        <button type="submit" class="danger" data-gt="revoke-browser">
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
      </section>
    </>,
    status,
  );
}

export const connectBrowserPage = new Hono<DashEnv>()
  .get('/connect', acceptsQuery(), (c) => connectView(c))
  .post('/connect', async function makeConnectCode(c) {
    const auth = c.get('auth');
    const made = await createConnectCode(c.get('store').db, { workspaceId: auth.workspaceId, raterId: auth.raterId, createdBy: auth.id }, clockNow());
    await audit(c, 'connect_code.created', { type: 'connect_code', id: made.id }, { raterId: auth.raterId, expiresAt: made.expiresAt });
    return connectView(c, made, 201);
  })
  .post('/connect/tokens/:id/revoke', async function revokeBrowser(c) {
    const auth = c.get('auth');
    const id = c.req.param('id');
    const db = c.get('store').db;
    // One's own tokens only: same workspace and rater id.
    const mine = (await raterTokens(db, auth.workspaceId, auth.raterId)).find((t) => t.id === id && !t.revokedAt);
    if (!mine || !(await revokeToken(db, id, auth.workspaceId))) throw new ApiError(404, 'not_found', 'None of your active browsers has that id.');
    await audit(c, 'token.revoked', { type: 'token', id }, { raterId: auth.raterId, by: 'owner' });
    if (id === auth.id) return c.redirect(BASE, 303); // their own sign-in: the session went with it
    return c.redirect(`${BASE}/connect`, 303);
  });
