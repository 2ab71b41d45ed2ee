/** @jsxImportSource hono/jsx */
/** Renders a page inside the layout for the signed-in user, and the dashboard's error pages. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, type ErrorAnswer } from '../lib/errors.ts';
import type { DashEnv } from './env.ts';
import { BASE, Layout, Notice, RATER_HOME } from './layout.tsx';

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

const TITLES: Partial<Record<number, string>> = { 401: 'Sign in needed', 403: 'Not allowed', 404: 'Not found', 500: 'Something went wrong' };

/**
 * The dashboard's error page, for the app's one onError (lib/errors.ts handleError): the status,
 * code and message come from the one mapping (describeError); the page shows the reason, never a
 * stack trace. hono's own exceptions carry no message for people (its 403 is the cross-site check
 * of csrf()), so the page says what they were.
 */
export function renderErrorPage(c: Context, answer: ErrorAnswer, err: unknown) {
  const bare = err instanceof HTTPException && !(err instanceof ApiError);
  const message =
    bare && answer.status === 403
      ? 'This request was refused: it did not come from a dashboard page (cross-site request check).'
      : bare && !err.message
        ? 'The request could not be handled.'
        : answer.message;
  return render(
    c as Context<DashEnv>,
    { title: TITLES[answer.status] ?? 'Request refused', page: 'error' },
    <>
      <Notice kind="error">{message}</Notice>
      {!answer.unexpected && (
        <p>
          <a href={(c as Context<DashEnv>).get('auth')?.role === 'rater' ? RATER_HOME : BASE}>Back to the dashboard</a>
        </p>
      )}
    </>,
    answer.status,
  );
}
