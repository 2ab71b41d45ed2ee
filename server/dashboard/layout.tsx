/** @jsxImportSource hono/jsx */
/**
 * The page shell: head, navigation, the signed-in user with a sign-out form, and the content.
 * Text is escaped by hono/jsx; nothing here builds HTML from strings. No inline script or style:
 * the Content-Security-Policy forbids both (see index.ts).
 */
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Role } from '../../shared/schemas.ts';
import type { TokenInfo } from '../store/tokens.ts';

export const BASE = '/dashboard';
/** Where a rater lands: the rater area (queues, own ratings, connecting a browser) is all of the dashboard a rater reaches. */
export const RATER_HOME = `${BASE}/queues`;
/** The rater area's paths (index.ts mounts its pages before the analysts-only gate). */
export const inRaterArea = (path: string) => /^\/dashboard\/(queues|my-ratings|connect)(\/|$)/.test(path);

export interface PageUser {
  auth: TokenInfo;
  csrf: string;
}

/** `rater`: shown to raters too (the rater area); `raterOnly`: shown to raters only. */
const NAV: { href: string; label: string; id: string; role?: Role; rater?: true; raterOnly?: true }[] = [
  { href: BASE, label: 'Overview', id: 'overview' },
  { href: RATER_HOME, label: 'Queues', id: 'queues', rater: true },
  { href: `${BASE}/my-ratings`, label: 'My ratings', id: 'my-ratings', rater: true, raterOnly: true },
  { href: `${BASE}/connect`, label: 'Connect a browser', id: 'connect', rater: true },
  { href: `${BASE}/models`, label: 'Models', id: 'models' },
  { href: `${BASE}/judges`, label: 'Judges', id: 'judges' },
  { href: `${BASE}/feedback`, label: 'Feedback', id: 'feedback' },
  { href: `${BASE}/review`, label: 'Review queue', id: 'review' },
  { href: `${BASE}/subjects`, label: 'Subjects', id: 'subjects' },
  { href: `${BASE}/search`, label: 'Search', id: 'search' },
  { href: `${BASE}/exports`, label: 'Exports', id: 'exports' },
  { href: `${BASE}/training`, label: 'Training runs', id: 'training' },
  { href: `${BASE}/sites`, label: 'Sites', id: 'sites' },
  { href: `${BASE}/extension`, label: 'Extension', id: 'extension' },
  { href: `${BASE}/tokens`, label: 'Tokens', id: 'tokens', role: 'admin' },
  { href: `${BASE}/audit`, label: 'Audit log', id: 'audit', role: 'admin' },
];

/** The hidden field every POST form carries (synchronizer token; see session.ts). */
export const CsrfField: FC<{ csrf: string }> = ({ csrf }) => <input type="hidden" name="_csrf" value={csrf} />;

export const Layout: FC<{ title: string; page: string; user?: PageUser; children?: Child; q?: string }> = ({ title, page, user, children, q }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${title} · Groundtruth`}</title>
        <link rel="stylesheet" href={`${BASE}/assets/style.css`} />
        <script src={`${BASE}/assets/dashboard.js`} defer></script>
      </head>
      <body data-page={page}>
        <header class="top">
          <a class="brand" href={user?.auth.role === 'rater' ? RATER_HOME : BASE}>
            Groundtruth
          </a>
          {user && (
            <nav aria-label="Dashboard">
              {NAV.filter((n) => (user.auth.role === 'rater' ? n.rater : !n.raterOnly && (!n.role || n.role === user.auth.role))).map((n) => (
                <a href={n.href} aria-current={n.id === page ? 'page' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          {user && user.auth.role !== 'rater' && (
            <form class="search-box" method="get" action={`${BASE}/search`} role="search" aria-label="Search the dashboard">
              <input type="search" name="q" value={q ?? ''} placeholder="Search prompts, answers, comments, notes" aria-label="Search" />
            </form>
          )}
          {user && (
            <form class="who" method="post" action={`${BASE}/sign-out`}>
              <CsrfField csrf={user.csrf} />
              <span>
                {user.auth.name} <small class="role">{user.auth.role}</small>
              </span>
              <button type="submit" data-gt="sign-out">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  </>
);

/** A notice above the content (errors, "shown once" tokens). */
export const Notice: FC<{ kind?: 'error' | 'ok' | 'info'; children?: Child }> = ({ kind = 'info', children }) => (
  <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
);

export const Empty: FC<{ children?: Child }> = ({ children }) => <p class="empty">{children}</p>;
