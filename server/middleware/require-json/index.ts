/**
 * A POST, PUT or PATCH that has a body must send it as JSON (`application/json`, or a `+json`
 * type): anything else is 415 `unsupported_media_type` before a route reads it. A request with no
 * body at all (no length, not chunked) has nothing to type-check.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

// A factory returning a named function (hono's style: a trace names the middleware that failed).

export const requireJson = (): MiddlewareHandler<AppEnv> =>
  async function requireJson(c, next) {
    const method = c.req.method;
    const hasBody = (c.req.header('Content-Length') ?? '0') !== '0' || c.req.header('Transfer-Encoding') !== undefined;
    if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && hasBody && !JSON_TYPE.test(c.req.header('Content-Type') ?? '')) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".');
    }
    await next();
  };
