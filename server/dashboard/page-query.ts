/**
 * A dashboard page's query string, checked like the API's (DESIGN, "Errors"): an unknown parameter
 * is a 400 error page naming it and listing what the page accepts (a misspelt filter in a bookmark
 * must not show everything as if it were filtered); a malformed value is a 422 page naming it.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { describeZodError } from '../../shared/schemas.ts';
import { ApiError } from '../lib/errors.ts';
import { unknownQueryParameters } from '../lib/unknown-query.ts';

/** Throws the 400 page for parameters outside `accepted` (sorted); an empty value counts as absent. */
function refuseUnknown(c: Context, accepted: string[]): void {
  const unknown = unknownQueryParameters(c.req.url, accepted);
  if (unknown.length) {
    const accepts = accepted.length ? `This page accepts: ${accepted.join(', ')}.` : 'This page takes no query parameters.';
    throw new ApiError(400, 'unknown_parameter', `Unknown query parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. ${accepts}`, {
      unknown,
      accepted,
    });
  }
}

/**
 * For pages that read a few parameters leniently (a bad value falls back to the default): the
 * names they read, so that any other is refused as above. `.get('/x', acceptsQuery('days'), page)`.
 */
export function acceptsQuery(...names: string[]): MiddlewareHandler {
  const accepted = [...names].sort();
  return async function acceptsQuery(c, next) {
    refuseUnknown(c, accepted);
    await next();
  };
}

export function parsePageQuery<S extends z.ZodObject>(c: Context, schema: S): z.output<S> {
  refuseUnknown(c, Object.keys(schema.shape).sort());
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ApiError(422, 'validation_failed', describeZodError(parsed.error));
  return parsed.data;
}
