/**
 * The dashboard at /dashboard: server-rendered pages (hono/jsx) for analysts and admins, and a rater area (queues, own ratings) for raters. See
 * docs/decisions/0019-dashboard-server-rendered-and-search.md for why server-rendered and not a Preact app.
 *
 * Order matters: security headers on everything; static assets; the origin check on every POST;
 * the session; sign-in/out; every page behind `requireSignedIn` (session + CSRF field); then the
 * rater area (queues and one's own ratings: DESIGN, "Who uses the dashboard"), the one part a rater
 * reaches; then every other page behind `requireAnalyst` (admins-only pages check more).
 */
import fs from 'node:fs';
import { Hono, type Context, type MiddlewareHandler, type Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { LIMITS } from '../../shared/limits.ts';
import { ApiError } from '../lib/errors.ts';
import type { DashEnv } from './env.ts';
import { BASE, RATER_HOME } from './layout.tsx';
import { renderErrorPage } from './render.tsx';
import { csrfMatches, dashboardSession } from './session.ts';
import { signInPage, signInRoutes } from './sign-in.tsx';
import { exportsPages } from './exports.tsx';
import { trainingPage } from './training.tsx';
import { feedbackPages } from './feedback.tsx';
import { modelsPage } from './models.tsx';
import { judgesPage } from './judges.tsx';
import { overviewPage } from './overview.tsx';
import { reviewPages } from './review.tsx';
import { recordPage } from './record.tsx';
import { subjectPages } from './subjects.tsx';
import { searchPage } from './search.tsx';
import { sitesPage } from './sites.tsx';
import { extensionConfigPage } from './extension-config.tsx';
import { tokensPage } from './tokens.tsx';
import { auditPage } from './audit.tsx';
import { raterArea } from './rater-area.tsx';

const asset = (name: string) => fs.readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const STYLE = asset('style.css');
const SCRIPT = asset('dashboard.js');

/** No inline script or style anywhere; only this origin's files; no framing; forms post here only. */
const CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** Signed in (any role); a POST also carries the session's CSRF field. */
async function requireSignedIn(c: Context<DashEnv>, next: Next) {
  const auth = c.get('auth');
  if (!auth || !c.get('session')) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return signInPage(c, c.req.path === BASE ? 200 : 401);
    throw new ApiError(401, 'unauthorized', 'Your session has ended; sign in again.');
  }
  if (c.req.method === 'POST') {
    const body = await c.req.parseBody();
    if (!csrfMatches(c.get('session'), body._csrf)) {
      throw new ApiError(403, 'forbidden', 'The form was stale or did not come from this dashboard; reload the page and try again.');
    }
  }
  await next();
}

/** Past the rater area: analysts and admins only. */
async function requireAnalyst(c: Context<DashEnv>, next: Next) {
  if (c.get('auth').role === 'rater') {
    throw new ApiError(403, 'forbidden', `Raters see their queues and their own ratings here (${RATER_HOME}); the rest of the dashboard is for analysts and admins.`);
  }
  await next();
}

export interface DashboardOptions {
  /** The app's per-address limit (before the session) and per-token limit (after it), shared with the API. */
  rateLimits?: { perAddress?: MiddlewareHandler<DashEnv>; perToken?: MiddlewareHandler<DashEnv> };
}

export function dashboardRoutes({ rateLimits = {} }: DashboardOptions = {}) {
  const app = new Hono<DashEnv>();
  // For the audit log: these requests come through the dashboard (the app set the address); and
  // the app's one onError answers them with the dashboard's error page instead of JSON.
  app.use('*', async function dashboardDoor(c, next) {
    c.set('client', { address: c.get('client')?.address ?? null, via: 'dashboard' });
    c.set('errorPage', renderErrorPage);
    await next();
  });
  app.use('*', secureHeaders({ contentSecurityPolicy: CSP, referrerPolicy: 'same-origin' }));
  app.use('*', async function noStore(c, next) {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  app.get('/assets/style.css', (c) => c.body(STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/dashboard.js', (c) =>
    c.body(SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  // Everything but the assets above: sign-in attempts and requests without a session count per address.
  if (rateLimits.perAddress) app.use('*', rateLimits.perAddress);
  // Origin / Sec-Fetch-Site check on every form POST (sign-in included); the session's own token
  // is checked on top in requireAnalyst.
  app.use('*', csrf());
  app.use(
    '*',
    bodyLimit({
      maxSize: LIMITS.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', 'The form is over 1 MiB.');
      },
    }),
  );
  app.use('*', dashboardSession());
  // Pages and downloads count against the session's token, together with its API requests.
  if (rateLimits.perToken) app.use('*', rateLimits.perToken);
  app.route('/', signInRoutes);
  app.use('*', requireSignedIn);
  app.route('/', raterArea);
  app.use('*', requireAnalyst);
  app.route('/', overviewPage);
  app.route('/', modelsPage);
  app.route('/', judgesPage);
  app.route('/', feedbackPages);
  app.route('/', recordPage);
  app.route('/', subjectPages);
  app.route('/', reviewPages);
  app.route('/', searchPage);
  app.route('/', exportsPages);
  app.route('/', trainingPage);
  app.route('/', sitesPage);
  app.route('/', extensionConfigPage);
  app.route('/', tokensPage);
  app.route('/', auditPage);
  app.all('*', () => {
    throw new ApiError(404, 'not_found', 'There is no such dashboard page.');
  });
  return app;
}
