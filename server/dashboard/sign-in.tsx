/** @jsxImportSource hono/jsx */
/**
 * Sign in with a token (analyst or admin; a rater reaches only the rater area), sign out. The token is checked once, here; the browser
 * then holds only a session cookie (session.ts), never the token.
 */
import { Hono, type Context } from 'hono';
import type { FC } from 'hono/jsx';
import { findActiveToken, tokenExpired } from '../store/tokens.ts';
import type { DashEnv } from './env.ts';
import { BASE, inRaterArea, Layout, Notice, RATER_HOME } from './layout.tsx';
import { clearSessionCookie, createSession, csrfMatches, deleteSession, setSessionCookie } from './session.ts';
import { ApiError } from '../lib/errors.ts';

const SignInForm: FC<{ error?: string; next?: string }> = ({ error, next }) => (
  <Layout title="Sign in" page="sign-in">
    <div class="signin">
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" action={`${BASE}/sign-in`} class="stack">
        <label>
          Your token
          <input type="password" name="token" autocomplete="off" autofocus required spellcheck={false} placeholder="gt_…" />
        </label>
        {next && <input type="hidden" name="next" value={next} />}
        <button type="submit" data-gt="sign-in">
          Sign in
        </button>
      </form>
      <p class="muted">
        A token is printed once when the server first starts; more are made with{' '}
        <code>npx groundtruth token create --role analyst --name NAME</code>. With a rater token you see your review
        queues and your own ratings.
      </p>
    </div>
  </Layout>
);

/** Only dashboard paths are followed after sign-in (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/dashboard(\/[\w\-./%?=&]*)?$/.test(next) && !next.includes('//') ? next : BASE;
}

export function signInPage(c: Context<DashEnv>, status: 200 | 401 = 200) {
  const next = c.req.path !== BASE ? c.req.path + (new URL(c.req.url).search || '') : c.req.query('next');
  return c.html(<SignInForm next={next ? safeNext(next) : undefined} />, status);
}

export const signInRoutes = new Hono<DashEnv>()
  .post('/sign-in', async function signIn(c) {
    const body = await c.req.parseBody();
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    const next = safeNext(body.next);
    const store = c.get('store');
    const info = token ? await findActiveToken(store.db, token) : undefined;
    if (!info) {
      return c.html(<SignInForm error="That token is unknown or has been revoked." next={next} />, 401);
    }
    if (tokenExpired(info)) {
      return c.html(<SignInForm error={`That token expired at ${info.expiresAt}; ask an admin for a new one.`} next={next} />, 401);
    }
    const { secret } = await createSession(store.db, info);
    setSessionCookie(c, secret);
    // A rater reaches only the rater area: any other page they were sent to would be a 403.
    return c.redirect(info.role === 'rater' && !inRaterArea(next) ? RATER_HOME : next, 303);
  })
  .post('/sign-out', async function signOut(c) {
    const session = c.get('session');
    if (session) {
      const body = await c.req.parseBody();
      if (!csrfMatches(session, body._csrf)) throw new ApiError(403, 'forbidden', 'The form was stale or did not come from this dashboard; reload the page and try again.');
      await deleteSession(c.get('store').db, session.id);
    }
    clearSessionCookie(c);
    return c.redirect(BASE, 303);
  });
