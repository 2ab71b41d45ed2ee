/**
 * Per-token rate limit, with hono-rate-limiter (a maintained middleware; see docs/decisions).
 * Mounted after authentication so it keys on the token id, never on an IP (many raters share an
 * office NAT; one noisy pipeline must not throttle them). Over the limit: 429 in the usual error
 * shape with Retry-After, which the extension's sync honours (DESIGN, sync protocol).
 */
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { errorBody } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';

export interface RateLimitOptions {
  /** Requests per window per token; 0 turns the limit off. */
  limit: number;
  windowMs?: number;
}

export function rateLimitPerToken({ limit, windowMs = 60_000 }: RateLimitOptions): MiddlewareHandler<AppEnv> {
  if (limit <= 0) {
    return async function rateLimitOff(_c, next) {
      await next();
    };
  }
  const limiter = rateLimiter<AppEnv>({
    windowMs,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => `token:${c.get('auth').id}`,
    // Unauthenticated requests never get here on /v1 (401 first); health checks are never counted.
    skip: (c) => !c.get('auth') || c.req.path === '/healthz',
    handler: (c) => {
      // The library has already set Retry-After (seconds until the window resets).
      const seconds = c.res.headers.get('Retry-After') ?? String(Math.ceil(windowMs / 1000));
      c.header('Retry-After', seconds);
      return c.json(
        errorBody('rate_limited', `Too many requests for this token (limit ${limit} per ${Math.round(windowMs / 1000)} s); retry after ${seconds} s.`),
        429,
      );
    },
  });
  return async function rateLimitPerToken(c, next) {
    return limiter(c, next);
  };
}
