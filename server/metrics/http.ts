/**
 * The request middleware of issue 18, first in the chain: a request id (the client's
 * `X-Request-Id` when it is a plain token, else a new one; sent back), the HTTP counters and
 * latency by route *template* (never the raw path), mutation results by source, 429 refusals,
 * and one JSON log line per request. Nothing from the URL's query, headers or body is logged.
 */
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { isDropInRequest } from '../dropin/feedback-v1.ts';
import type { AppEnv } from '../lib/types.ts';
import { logger } from './log.ts';
import { withMutationTally, type Tally } from './mutations.ts';
import { httpDuration, httpRequests, mutations, rateLimited, syncBatchSize } from './registry.ts';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const PLAIN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Where mutations came from, by the route that took them. */
async function sourceOf(c: Context, route: string): Promise<'extension' | 'program' | 'drop-in'> {
  if (route === '/v1/sync') return 'extension';
  if (route.startsWith('/api/v1/')) return 'drop-in';
  if (route.startsWith('/v1/feedback') && (await isDropInRequest(c))) return 'drop-in';
  return 'program';
}

export function observeRequests(): MiddlewareHandler<AppEnv> {
  // Only for measuring this middleware's cost (test/bench/observe.ts); not an operator setting.
  if (process.env.GT_OBSERVE === 'off') return (_c, next) => next();
  return async function observeRequests(c, next) {
    const started = performance.now();
    const given = c.req.header(REQUEST_ID_HEADER);
    const requestId = given && PLAIN_ID.test(given) ? given : randomUUID();
    const tally: Tally = new Map();
    try {
      await withMutationTally(tally, next);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      // The template of the handler that answered ('/v1/feedback/:id'), or of the middleware that
      // refused it ('/v1/*'); unmatched paths share one label.
      const matched = c.finalized || c.res ? routePath(c) : '*';
      const route = c.res.status === 404 && matched.endsWith('*') ? 'unmatched' : matched;
      const status = c.res.status;
      httpRequests.inc({ method: c.req.method, route, status: String(status) });
      httpDuration.observe({ method: c.req.method, route }, seconds);
      if (status === 429) rateLimited.inc({ route });
      if (route === '/v1/sync' && tally.size > 0) syncBatchSize.observe([...tally.values()].reduce((a, b) => a + b, 0));
      if (tally.size > 0) {
        const source = await sourceOf(c, route);
        for (const [result, n] of tally) mutations.inc({ result, source }, n);
      }
      try {
        c.res.headers.set(REQUEST_ID_HEADER, requestId);
      } catch {
        // immutable headers (a passed-through Response): the id is in the log line only
      }
      const auth = c.get('auth');
      logger().info(
        { reqId: requestId, method: c.req.method, route, status, ms: Math.round(seconds * 10_000) / 10, ...(auth ? { workspace: auth.workspaceId } : {}) },
        'request',
      );
    }
  };
}
