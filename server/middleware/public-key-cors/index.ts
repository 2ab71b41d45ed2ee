/**
 * CORS for the one route a public ingest key may call (`POST /v1/sync`, issue 17; ADR 0047), with
 * hono/cors and an origin callback. Mounted before the API's guards: a browser's preflight
 * (`OPTIONS`) carries no Authorization, so it cannot name a key; an origin is allowed when some
 * live key lists it (store/public-keys.ts, cached for a second). Which key, and whether it may be
 * used from this origin, is the auth middleware's question on the real request (403
 * `origin_not_allowed`).
 *
 * An allowed origin gets `Access-Control-Allow-Origin: <origin>` on the preflight and on the real
 * answer, errors and 429s included, so the page can read why it was refused (and `Retry-After`,
 * exposed). Any other origin gets
 * no CORS header at all: its preflight is a 403 JSON error, and a browser never lets that page
 * read an answer (the server still refuses the request itself).
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { errorBody } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';
import { normaliseOrigin, originOfSomeLiveKey } from '../../store/public-keys.ts';

/** How long a browser may reuse a preflight's answer, in seconds. */
export const PREFLIGHT_MAX_AGE = 600;

export function publicKeyCors(): MiddlewareHandler<AppEnv> {
  const allowed = cors({
    // Called only for an origin already found allowed below: echo it back.
    origin: (origin) => origin,
    allowMethods: ['POST'],
    allowHeaders: ['authorization', 'content-type'],
    // Not CORS-safelisted, and the embed's sync plans its retries with them.
    exposeHeaders: ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
    maxAge: PREFLIGHT_MAX_AGE,
  });
  return async function publicKeyCors(c, next) {
    const sent = c.req.header('Origin');
    const origin = sent ? normaliseOrigin(sent) : undefined;
    const ok = origin !== undefined && origin === sent && (await originOfSomeLiveKey(c.get('store').db, origin));
    if (ok) return allowed(c as never, next);
    if (c.req.method === 'OPTIONS') {
      c.header('Vary', 'Origin');
      return c.json(errorBody('origin_not_allowed', 'No public key of this server is allowed from this origin.'), 403);
    }
    await next();
  };
}
