/**
 * A rating link at `/r/<secret>` (issue 17, item 1; docs/api/feedback-links.md), outside the /v1
 * bearer guards: the secret in the path is the credential.
 *
 * - `GET` shows the rating page and never writes (mail scanners and link previews open links):
 *   no record, no use of a single-use link, no audit entry. It only gives the browser its rater
 *   cookie. With `Accept: application/json` (and not HTML) it answers the link's target as JSON.
 * - `POST` takes `{rating, comment?, correction?}` as JSON, or the page's form (works without
 *   JavaScript; answered with a thank-you page). Unknown link 404, expired 410 `link_expired`,
 *   revoked 410 `link_revoked`, a used single-use link 409 `link_used`, a rating the link does not
 *   take 422 `rating_not_allowed`: JSON errors for JSON callers, the same as a page for the form.
 * - Who rated: the link's user (`user:<id>`) when its creator named one, else one anonymous rater
 *   per browser and link, from the `gt_rater` cookie (store/anonymous-raters.ts). The record id is
 *   fixed per link and rater (linkFeedbackId), so a browser voting again updates its one record.
 * - Per-address (GET and POST) and per-link (POST) limits in the app's rate counters; 429 with
 *   Retry-After. A body over 256 KiB is 413.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { rateLimiter, type Store as LimiterStore } from 'hono-rate-limiter';
import { randomBytes } from 'node:crypto';
import { LinkRatingInput, ratingNotAllowed, type AllowedRatings } from '../../shared/feedback-links.ts';
import { DEFAULT_CRITERION, ErrorBody, describeZodError, type FeedbackInput, type Rating, type Target } from '../../shared/schemas.ts';
import { publicUrl } from '../env.ts';
import { aheadAfter, clockNow, createdNotAfter, stampAfter } from '../lib/clock.ts';
import { clientAddress } from '../lib/client-address.ts';
import { ApiError, errorBody, rejectionError, type ErrorAnswer } from '../lib/errors.ts';
import { redactProgramFeedback } from '../lib/program-feedback.ts';
import type { AppEnv } from '../lib/types.ts';
import { unknownKeysError } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { hashToken } from '../store/tokens.ts';
import { WINDOW_MS } from '../middleware/rate-limit/index.ts';
import { anonymousRaterId, userRaterId } from '../store/anonymous-raters.ts';
import { applyMutations, type Actor } from '../store/feedback.ts';
import { countVote, findLinkBySecret, linkClientId, linkFeedbackId, linkStatus, takeSingleUse } from '../store/feedback-links.ts';
import { joinTransaction } from '../store/join-transaction.ts';
import type { FeedbackLinksTable } from '../store/link-tables.ts';
import { retryOnConflict } from '../store/write-locks.ts';
import { LinkErrorPage, RATING_PAGE_CSP, RatingPage, ThankYouPage } from './rating-page.tsx';

export const RATER_COOKIE = 'gt_rater';
/** 400 days: the longest a browser keeps a cookie (RFC 6265bis caps Max-Age there). */
const COOKIE_MAX_AGE = 400 * 86_400;
export const LINK_BODY_MAX_BYTES = 256 * 1024;
export const LINK_DEFAULT_LIMITS = { perLinkPerMinute: 60, perAddressPerMinute: 30 };

type LinkEnv = AppEnv & { Variables: { linkHtml: boolean } };

const isForm = (c: Context) => /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(c.req.header('Content-Type') ?? '');
const isJson = (c: Context) => /^application\/([\w.+-]+\+)?json\b/i.test(c.req.header('Content-Type') ?? '');

/**
 * Errors as pages for the page's form post and for a browser's GET (it accepts HTML); JSON for
 * everyone else, including another method that happens to send a form body (a form only posts).
 */
function wantsHtml(c: Context): boolean {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return (c.req.header('Accept') ?? '').includes('text/html');
  return c.req.method === 'POST' && isForm(c);
}

/** A GET answered with the link as JSON rather than the page: the caller asked for JSON, not HTML. */
function wantsJsonLink(c: Context): boolean {
  const accept = c.req.header('Accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function renderError(c: Context, answer: ErrorAnswer) {
  const secret = c.req.param('secret');
  const back = answer.status === 422 && secret ? `/r/${secret}` : undefined;
  return c.html(LinkErrorPage({ code: answer.code, message: answer.message, back }), answer.status);
}

function limited(c: Context, message: string) {
  const info = c.get('rateLimit' as never) as { resetTime?: Date } | undefined;
  const seconds = String(info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(WINDOW_MS / 1000));
  c.header('Retry-After', seconds);
  if (c.get('linkHtml' as never)) return renderError(c, { status: 429, code: 'rate_limited', message });
  return c.json(errorBody('rate_limited', message), 429);
}

export interface RatingLinkOptions {
  /** The app's rate counters (middleware/rate-limit/counters.ts), shared with the API's limits. */
  counters?: LimiterStore<any>;
  trustProxy?: number;
  /** POSTs per minute to one link (0: off). */
  perLinkPerMinute?: number;
  /** GETs and POSTs per minute from one address to any link (0: off). */
  perAddressPerMinute?: number;
}

function limits({ counters, trustProxy = 0, perLinkPerMinute, perAddressPerMinute }: RatingLinkOptions): { perAddress: MiddlewareHandler; perLink: MiddlewareHandler } {
  const off: MiddlewareHandler = async (_c, next) => next();
  const perLink = perLinkPerMinute ?? LINK_DEFAULT_LIMITS.perLinkPerMinute;
  const perAddress = perAddressPerMinute ?? LINK_DEFAULT_LIMITS.perAddressPerMinute;
  const store = counters ? { store: counters } : {};
  return {
    perAddress:
      perAddress > 0
        ? rateLimiter({
            windowMs: WINDOW_MS,
            limit: perAddress,
            standardHeaders: false,
            keyGenerator: (c) => `linkaddr:${clientAddress(c, trustProxy)}`,
            skip: (c) => !clientAddress(c, trustProxy),
            ...store,
            handler: (c) => limited(c, `Too many requests to rating links from this address (limit ${perAddress} per minute).`),
          })
        : off,
    perLink:
      perLink > 0
        ? rateLimiter({
            windowMs: WINDOW_MS,
            limit: perLink,
            standardHeaders: 'draft-6',
            // The secret's hash, not the secret: counters may be shared through the database.
            keyGenerator: (c) => `link:${hashToken(c.req.param('secret') ?? '').slice(0, 32)}`,
            ...store,
            handler: (c) => limited(c, `Too many ratings sent to this link (limit ${perLink} per minute); try again shortly.`),
          })
        : off,
  };
}

/** The link, or the refusal that answers for it (404, 410, 409). */
function refusalOf(link: FeedbackLinksTable | undefined, now: Date): ApiError | undefined {
  if (!link) return new ApiError(404, 'not_found', 'No such rating link: check that the whole address was copied.');
  const status = linkStatus(link, now);
  if (status === 'revoked') return new ApiError(410, 'link_revoked', 'This rating link was withdrawn by whoever sent it.');
  if (status === 'used') return new ApiError(409, 'link_used', 'This rating link takes one rating, and it was already given.');
  if (status === 'expired') return new ApiError(410, 'link_expired', `This rating link expired at ${link.expires_at}.`);
  return undefined;
}

/** This browser's secret from its cookie, or a new one (set on the answer). */
function browserSecret(c: Context): string {
  const had = getCookie(c, RATER_COOKIE);
  if (had && /^[A-Za-z0-9_-]{43}$/.test(had)) return had;
  const secret = randomBytes(32).toString('base64url');
  setCookie(c, RATER_COOKIE, secret, { httpOnly: true, sameSite: 'Lax', path: '/r', maxAge: COOKIE_MAX_AGE, secure: publicUrl().startsWith('https:') });
  return secret;
}

function raterOf(link: FeedbackLinksTable, secret: string): string {
  return link.user_id !== null ? userRaterId(link.user_id) : anonymousRaterId(`link:${link.id}`, secret);
}

/** The page's form as the JSON body: empty fields are absent; the correction box is `correction.output`. */
function fromForm(form: Record<string, unknown>): unknown {
  const text = (name: string) => {
    const v = form[name];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const rating: Record<string, unknown> = {};
  if (text('thumb')) rating.thumb = text('thumb');
  if (text('stars')) rating.stars = /^\d$/.test(text('stars')!) ? Number(text('stars')) : text('stars');
  if (text('label')) rating.label = text('label');
  return {
    rating,
    ...(text('comment') ? { comment: text('comment')!.replace(/\r\n/g, '\n') } : {}),
    ...(text('correction') ? { correction: { output: text('correction')!.replace(/\r\n/g, '\n') } } : {}),
  };
}

async function readRating(c: Context<LinkEnv>): Promise<LinkRatingInput> {
  let raw: unknown;
  if (isForm(c)) {
    raw = fromForm(await c.req.parseBody());
  } else if (!isJson(c)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the rating as application/json, or as the rating page\'s form.');
  } else {
    try {
      raw = await c.req.json();
    } catch {
      throw new ApiError(400, 'malformed_json', 'The request body is not valid JSON.');
    }
  }
  const parsed = LinkRatingInput.safeParse(raw);
  if (parsed.success) return parsed.data;
  const unknown = unknownKeysError(LinkRatingInput, parsed.error);
  if (unknown) throw unknown;
  const ratingMissing = parsed.error.issues.some((i) => i.path[0] === 'rating' && i.path.length <= 1);
  if (c.get('linkHtml') && ratingMissing) throw new ApiError(422, 'validation_failed', 'Choose a rating before sending.');
  throw new ApiError(422, 'validation_failed', describeZodError(parsed.error), parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

async function currentRow(c: Context<LinkEnv>, link: FeedbackLinksTable, id: string) {
  return c.get('store').db.selectFrom('feedback').selectAll().where('workspace_id', '=', link.workspace_id).where('id', '=', id).executeTakeFirst();
}

/** Writes one rating through the link: the single use taken, the record, the vote counted: all or nothing. */
async function submit(c: Context<LinkEnv>, link: FeedbackLinksTable, input: LinkRatingInput, secret: string) {
  const db = c.get('store').db;
  const now = clockNow();
  const skew = c.get('maxClockSkewSeconds');
  const raterId = raterOf(link, secret);
  const id = linkFeedbackId(link.id, raterId);
  const existing = await currentRow(c, link, id);
  const updatedAt = stampAfter(existing?.updated_at, now, skew);
  const createdAt = existing && !existing.deleted ? createdNotAfter(existing.created_at, updatedAt) : updatedAt;
  const record = await redactProgramFeedback(db, link.workspace_id, {
    id,
    target: JSON.parse(link.target) as Target,
    rating: input.rating,
    ...(link.criterion !== DEFAULT_CRITERION ? { criterion: link.criterion } : {}),
    ...(input.comment !== undefined ? { comment: input.comment } : {}),
    ...(input.correction !== undefined ? { correction: input.correction } : {}),
    createdAt,
    updatedAt,
  } satisfies FeedbackInput);
  const actor: Actor = {
    workspaceId: link.workspace_id,
    raterId,
    role: 'rater',
    tokenId: null,
    clientId: linkClientId(link.id),
    channel: 'link',
    aheadAfter: aheadAfter(now, skew),
  };
  return retryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      if (!link.reusable && !(await takeSingleUse(trx, link, now))) {
        throw new ApiError(409, 'link_used', 'This rating link takes one rating, and it was already given.');
      }
      const [result] = await applyMutations(joinTransaction(trx), actor, [{ id, op: 'upsert', updatedAt, feedback: record }], now);
      if (!result || (result.status !== 'applied' && result.status !== 'unchanged')) {
        throw result?.status === 'rejected' ? rejectionError(result.reason, result.error ?? 'rejected') : new ApiError(409, 'stale', result?.error ?? 'not stored');
      }
      if (!existing) await countVote(trx, link);
      return { id, status: result.status, updatedAt };
    }),
  );
}

const path = (secret: string) => `/r/${secret}`;

/** The two operations in /openapi.json (served by the plain handlers below, which read JSON and forms alike). */
function describeInOpenApi(app: OpenAPIHono<LinkEnv>) {
  const json = <T>(schema: T) => ({ 'application/json': { schema } });
  const params = z.object({ secret: z.string() });
  const refusals = {
    404: { description: 'No such link', content: json(ErrorBody) },
    409: { description: '`link_used`: a single-use link already took its rating', content: json(ErrorBody) },
    410: { description: '`link_expired` or `link_revoked`', content: json(ErrorBody) },
    429: { description: 'Too many requests for this link or from this address (Retry-After)', content: json(ErrorBody) },
  } as const;
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/r/{secret}',
    tags: ['Feedback links'],
    summary: 'A rating link: the rating page (HTML), or with Accept: application/json the link\'s target; never writes',
    request: { params },
    responses: {
      200: { description: 'The page, or {target, criterion, allowedRatings, reusable, expiresAt}', content: { 'text/html': { schema: z.string() }, ...json(z.object({ target: z.unknown() }).passthrough()) } },
      ...refusals,
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/r/{secret}',
    tags: ['Feedback links'],
    summary: 'Rate through a link, without a token: JSON {rating, comment?, correction?} or the page\'s form',
    description:
      'Attributed to the link\'s user (`user:<id>`) or to one anonymous rater per browser (the `gt_rater` cookie, set here when absent). ' +
      'A browser rating again updates its one record. A rating the link does not take is 422 `rating_not_allowed`; an unknown field 422 `unknown_field`.',
    request: { params, body: { required: true, content: { ...json(LinkRatingInput), 'application/x-www-form-urlencoded': { schema: z.object({ thumb: z.string().optional(), stars: z.string().optional(), label: z.string().optional(), comment: z.string().optional(), correction: z.string().optional() }) } } } },
    responses: {
      201: { description: 'Stored: {id, status, updatedAt} (200 when it changed nothing; a form post: the thank-you page)', content: json(z.object({ id: z.string(), status: z.string(), updatedAt: z.string() })) },
      413: { description: 'Body over 256 KiB', content: json(ErrorBody) },
      422: { description: 'Not a rating this link takes, or a schema violation', content: json(ErrorBody) },
      ...refusals,
    },
  });
}

export function ratingLinkRoutes(options: RatingLinkOptions = {}) {
  const { perAddress, perLink } = limits(options);
  const app = new OpenAPIHono<LinkEnv>();
  describeInOpenApi(app);
  app.use('/r/*', async function ratingLinkDoor(c, next) {
    const html = wantsHtml(c);
    c.set('linkHtml', html);
    // The app's one onError renders these requests' errors as this page (lib/errors.ts).
    if (html) c.set('errorPage', renderError);
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Robots-Tag', 'noindex, nofollow');
  });
  // The secret is in the address: no Referer may carry it away.
  app.use('/r/*', secureHeaders({ contentSecurityPolicy: RATING_PAGE_CSP, referrerPolicy: 'no-referrer', crossOriginResourcePolicy: 'same-origin' }));
  app.use('/r/*', perAddress);
  app.use(
    '/r/*',
    bodyLimit({
      maxSize: LINK_BODY_MAX_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body is over ${LINK_BODY_MAX_BYTES} bytes.`);
      },
    }),
  );

  // A link takes no query parameters: one is refused, naming it, before the link is looked up.
  const noQuery = rejectUnknownQuery([]) as unknown as MiddlewareHandler<LinkEnv>;
  app.get('/r/:secret', noQuery, async function ratingLinkPage(c) {
    const secret = c.req.param('secret');
    const now = clockNow();
    const link = await findLinkBySecret(c.get('store').db, secret);
    const refusal = refusalOf(link, now);
    if (refusal) throw refusal;
    const target = JSON.parse(link!.target) as Target;
    const allowed = link!.allowed_ratings ? (JSON.parse(link!.allowed_ratings) as AllowedRatings) : null;
    if (wantsJsonLink(c)) {
      return c.json({ target, criterion: link!.criterion, allowedRatings: allowed, reusable: link!.reusable === 1, expiresAt: link!.expires_at }, 200);
    }
    const hadCookie = getCookie(c, RATER_COOKIE);
    const browser = browserSecret(c);
    // Read only: this browser's current vote, to say so on the page.
    let previous: Rating | undefined;
    if (link!.reusable && (hadCookie === browser || link!.user_id !== null)) {
      const row = await currentRow(c, link!, linkFeedbackId(link!.id, raterOf(link!, browser)));
      if (row?.record && !row.deleted) previous = (JSON.parse(row.record) as FeedbackInput).rating;
    }
    return c.html(
      RatingPage({ action: path(secret), target, criterion: link!.criterion, allowed, expiresAt: link!.expires_at, reusable: link!.reusable === 1, previous }),
      200,
    );
  });

  app.post('/r/:secret', noQuery, perLink, async function ratingLinkSubmit(c) {
    const secret = c.req.param('secret');
    // The body's shape first (an unknown field is 422 whatever the link), then the link.
    const input = await readRating(c);
    const link = await findLinkBySecret(c.get('store').db, secret);
    const refusal = refusalOf(link, clockNow());
    if (refusal) throw refusal;
    const allowed = link!.allowed_ratings ? (JSON.parse(link!.allowed_ratings) as AllowedRatings) : null;
    const notAllowed = ratingNotAllowed(allowed, input.rating);
    if (notAllowed) throw new ApiError(422, 'rating_not_allowed', `${notAllowed}.`, { allowedRatings: allowed });
    const written = await submit(c, link!, input, browserSecret(c));
    if (c.get('linkHtml')) return c.html(ThankYouPage({ rating: input.rating, again: link!.reusable ? path(secret) : undefined }), 200);
    return c.json({ id: written.id, status: written.status, updatedAt: written.updatedAt }, written.status === 'applied' ? 201 : 200);
  });
  return app;
}
