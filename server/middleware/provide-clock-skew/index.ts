/**
 * Puts how far ahead of the server's clock a client's time may be (env MAX_CLOCK_SKEW_SECONDS by
 * default) on the context as `maxClockSkewSeconds`, for the routes that refuse writes from clocks
 * ahead (lib/clock.ts, ADR 0026).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../lib/types.ts';

export const provideClockSkew = (seconds: number): MiddlewareHandler<AppEnv> =>
  async function provideClockSkew(c, next) {
    c.set('maxClockSkewSeconds', seconds);
    await next();
  };
