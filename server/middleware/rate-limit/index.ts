/**
 * Rate limits, with hono-rate-limiter (a maintained middleware; see docs/decisions) over our own
 * counters (counters.ts: local, or shared through PostgreSQL by several servers).
 *
 * - Per token, after authentication: keyed on the token id, never on an IP (many raters share an
 *   office NAT; one noisy pipeline must not throttle them). The API and the dashboard (its pages
 *   and downloads) count against the same limit.
 * - Per client address, before authentication: only requests that do not authenticate count (a
 *   bad or missing token, a failed sign-in), and an address over its limit is answered 429 before
 *   its token is looked at, so guessing tokens or sign-ins costs a window per few attempts.
 *
 * Over a limit: 429 with Retry-After (the API's error shape; the dashboard's error page), which
 * the extension's sync honours (DESIGN, sync protocol).
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { rateLimiter, type RateLimitInfo, type Store } from 'hono-rate-limiter';
import { ApiError, errorBody } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';
import { clientAddress } from '../../lib/client-address.ts';

export const WINDOW_MS = 60_000;

type Limited = (c: Context, message: string, retryAfterSeconds: string) => Response | Promise<Response>;

/** The API's answer: the usual JSON error. */
export const jsonLimited: Limited = (c, message, seconds) => {
  c.header('Retry-After', seconds);
  return c.json(errorBody('rate_limited', message), 429);
};

/** The dashboard's answer: its error page (the app's one onError renders it, lib/errors.ts), with the same header. */
export const pageLimited: Limited = (c, message, seconds) => {
  c.header('Retry-After', seconds);
  throw new ApiError(429, 'rate_limited', message);
};

export interface RateLimitOptions {
  /** Requests per window per token; 0 turns the limit off. */
  limit: number;
  windowMs?: number;
  /** Shared by every limiter of one app (the API and the dashboard count one token together). */
  // `any`: one store serves the API's and the dashboard's contexts.
  store?: Store<any>;
  onLimited?: Limited;
}

const passThrough: MiddlewareHandler = async function rateLimitOff(_c, next) {
  await next();
};

function retryAfter(c: Context, windowMs: number, property: string): string {
  const info = c.get(property as never) as RateLimitInfo | undefined;
  const seconds = info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
  return String(seconds);
}

export function rateLimitPerToken<E extends Env = AppEnv>({ limit, windowMs = WINDOW_MS, store, onLimited = jsonLimited }: RateLimitOptions): MiddlewareHandler<E> {
  if (limit <= 0) return passThrough;
  const limiter = rateLimiter<AppEnv>({
    windowMs,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => `token:${c.get('auth').id}`,
    // Unauthenticated requests never get here on /v1 (401 first); health checks are never counted.
    skip: (c) => !c.get('auth') || c.req.path === '/healthz',
    ...(store ? { store } : {}),
    handler: (c) => {
      const seconds = retryAfter(c, windowMs, 'rateLimit');
      return onLimited(c, `Too many requests for this token (limit ${limit} per ${Math.round(windowMs / 1000)} s); retry after ${seconds} s.`, seconds);
    },
  });
  return async function rateLimitPerToken(c, next) {
    return limiter(c as never, next);
  };
}

/**
 * Per public ingest key (issue 17): its own `ratePerMinute`, keyed on the key's id, in the same
 * counters (so several servers on PostgreSQL share one count). Every page of the app that holds
 * the key counts against it: it caps what one leaked key can write.
 */
export function rateLimitPerPublicKey({ windowMs = WINDOW_MS, store, onLimited = jsonLimited }: Omit<RateLimitOptions, 'limit'>): MiddlewareHandler<AppEnv> {
  const limiter = rateLimiter<AppEnv>({
    windowMs,
    limit: (c) => c.get('publicKey')?.ratePerMinute ?? 0,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => `pkey:${c.get('publicKey')!.id}`,
    skip: (c) => !c.get('publicKey'),
    ...(store ? { store } : {}),
    handler: (c) => {
      const seconds = retryAfter(c, windowMs, 'rateLimit');
      const limit = c.get('publicKey')?.ratePerMinute;
      return onLimited(c, `Too many requests for this public key (limit ${limit} per ${Math.round(windowMs / 1000)} s); retry after ${seconds} s.`, seconds);
    },
  });
  return async function rateLimitPerPublicKey(c, next) {
    return limiter(c as never, next);
  };
}

export interface AddressRateLimitOptions extends RateLimitOptions {
  /** TRUST_PROXY: proxies in front whose X-Forwarded-For entries are believed. */
  trustProxy?: number;
  /** Whether the request authenticated (then it is not counted); by default: a token is on the context. */
  authenticated?: (c: Context) => boolean;
}

export function rateLimitPerAddress<E extends Env = AppEnv>({
  limit,
  windowMs = WINDOW_MS,
  store,
  onLimited = jsonLimited,
  trustProxy = 0,
  authenticated = (c) => c.get('auth' as never) !== undefined,
}: AddressRateLimitOptions): MiddlewareHandler<E> {
  if (limit <= 0) return passThrough;
  const limiter = rateLimiter<AppEnv>({
    windowMs,
    limit,
    // The per-token limit's headers are the ones a client plans with.
    standardHeaders: false,
    requestPropertyName: 'addressRateLimit',
    requestStorePropertyName: 'addressRateLimitStore',
    keyGenerator: (c) => `addr:${clientAddress(c, trustProxy)}`,
    // No address to key on (a request made in-process): nothing to count it against.
    skip: (c) => c.req.path === '/healthz' || !clientAddress(c, trustProxy),
    // Counted first, taken back when the request turns out to have authenticated.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (c) => authenticated(c),
    ...(store ? { store } : {}),
    handler: (c) => {
      const seconds = retryAfter(c, windowMs, 'addressRateLimit');
      return onLimited(
        c,
        `Too many requests without a valid token from this address (limit ${limit} per ${Math.round(windowMs / 1000)} s); retry after ${seconds} s.`,
        seconds,
      );
    },
  });
  return async function rateLimitPerAddress(c, next) {
    return limiter(c as never, next);
  };
}

export interface AppRateLimitOptions {
  /** Requests per minute per token (0 = off). */
  perToken: number;
  /** Requests per minute per client address that do not authenticate (0 = off). */
  perAddress: number;
  trustProxy: number;
  /** One set of counters for every limiter of the app. */
  // `any`: one store serves the API's and the dashboard's contexts.
  counters: Store<any>;
}

/** The limiters of one app: for the API (JSON answers) and for the dashboard (its error page). */
export function appRateLimits({ perToken, perAddress, trustProxy, counters }: AppRateLimitOptions) {
  const signedIn = (c: Context) =>
    c.get('auth' as never) !== undefined || (c.req.method === 'POST' && c.req.path.endsWith('/sign-in') && c.res.status === 303);
  const tokens = rateLimitPerToken({ limit: perToken, store: counters });
  const publicKeys = rateLimitPerPublicKey({ store: counters });
  return {
    api: {
      perAddress: rateLimitPerAddress({ limit: perAddress, trustProxy, store: counters }),
      // A public key has its own limit (ratePerMinute), in place of the tokens' one.
      perToken: async function rateLimitPerCaller(c: Context<AppEnv>, next: () => Promise<void>) {
        return c.get('publicKey') ? publicKeys(c, next) : tokens(c, next);
      } as MiddlewareHandler<AppEnv>,
    },
    // `any`: the dashboard's context (DashEnv) extends the API's; these limiters read only `auth`.
    dashboard: {
      perAddress: rateLimitPerAddress<any>({ limit: perAddress, trustProxy, store: counters, onLimited: pageLimited, authenticated: signedIn }),
      perToken: rateLimitPerToken<any>({ limit: perToken, store: counters, onLimited: pageLimited }),
    },
  };
}
