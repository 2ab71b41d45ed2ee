/** @jsxImportSource hono/jsx */
/** Renders a page inside the layout for the signed-in user, and the dashboard's error pages. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../lib/errors.ts';
import type { DashEnv } from './env.ts';
import { BASE, Layout, Notice } from './layout.tsx';

export interface PageProps {
  title: string;
  page: string;
  q?: string;
}

export function render(c: Context<DashEnv>, props: PageProps, body: Child, status: ContentfulStatusCode = 200) {
  const auth = c.get('auth');
  const session = c.get('session');
  const user = auth && session ? { auth, csrf: session.csrf } : undefined;
  return c.html(
    <Layout title={props.title} page={props.page} user={user} q={props.q}>
      {body}
    </Layout>,
    status,
  );
}

/** The dashboard's onError: an HTML page with the reason, never a stack trace. */
export function renderError(err: Error, c: Context<DashEnv>) {
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const message =
      err instanceof ApiError
        ? err.message
        : status === 403
          ? 'This request was refused: it did not come from a dashboard page (cross-site request check).'
          : err.message || 'The request could not be handled.';
    const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 401 ? 'Sign in needed' : 'Request refused';
    return render(
      c,
      { title, page: 'error' },
      <>
        <Notice kind="error">{message}</Notice>
        <p>
          <a href={BASE}>Back to the dashboard</a>
        </p>
      </>,
      status,
    );
  }
  // c.req.parseBody() throws a TypeError for a body that is not the form its Content-Type claims
  // (e.g. multipart/form-data without a valid boundary): the request is bad, not the server.
  if (err instanceof TypeError && /parse body/i.test(err.message)) {
    return render(c, { title: 'Request refused', page: 'error' }, <Notice kind="error">The form could not be read; reload the page and try again.</Notice>, 400);
  }
  console.error('[groundtruth] dashboard error', err);
  return render(c, { title: 'Something went wrong', page: 'error' }, <Notice kind="error">Something went wrong on the server; it has been logged.</Notice>, 500);
}
