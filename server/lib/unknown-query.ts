/**
 * DESIGN, "Errors": an unknown query parameter is 400 `unknown_parameter` with
 * `details: {unknown, accepted}`, so a misspelt filter (`conversationID=`) is never silently
 * ignored and answered with everything. An empty value (`foo=`) counts as absent, as for known ones.
 * Used as route middleware, so it answers before the query schema is checked.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import type { AppEnv } from './types.ts';

export function unknownQueryParameters(url: string, accepted: readonly string[]): string[] {
  const known = new Set(accepted);
  const unknown = new Set<string>();
  for (const [name, value] of new URL(url).searchParams) if (value !== '' && !known.has(name)) unknown.add(name);
  return [...unknown];
}

/** `accepted`: the query schema's keys, e.g. `Object.keys(ListQuery.shape)`. */
export function rejectUnknownQuery(accepted: readonly string[]): MiddlewareHandler<AppEnv> {
  const names = [...accepted].sort();
  return async function rejectUnknownQuery(c, next) {
    const unknown = unknownQueryParameters(c.req.url, names);
    if (unknown.length) {
      throw new ApiError(400, 'unknown_parameter', `Unknown query parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, {
        unknown,
        accepted: names,
      });
    }
    await next();
  };
}
