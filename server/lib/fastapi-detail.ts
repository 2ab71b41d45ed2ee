/**
 * FastAPI's error body on the seed drop-in routes (DESIGN, "Decisions" → Errors): beside the house
 * `{error: {code, message, details?}}`, a `detail` that the seeds' Python clients parse — on 422 a
 * list of `{loc, msg, type}` as pydantic v2 reports it (`loc` starts with body, path, query or
 * header; `type` is pydantic's name for the failure), otherwise the message as a string
 * (https://fastapi.tiangolo.com/tutorial/handling-errors/). `msg` stays Groundtruth's readable message.
 *
 * - `fastApiHook(body)`: a route's validation hook; the house body (unknown fields as 422
 *   `unknown_field`, see unknown-keys.ts) with the list built from zod's issues.
 * - `fastApiDetail`: middleware over a prefix; adds `detail` to every other error answer there
 *   (401, 404, 413, 415, 429, a 422 thrown by a handler, …); a `FastApiError` brings its own list.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError, ZodType } from 'zod';
import { ApiError, errorBody, validationError } from './errors.ts';
import { unknownKeysError } from './unknown-keys.ts';

export interface FastApiErrorItem {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** Where a validated value came from, named as FastAPI names it. */
export type FastApiLocation = 'body' | 'path' | 'query' | 'header';

const LOCATIONS: Record<string, FastApiLocation> = { json: 'body', param: 'path', query: 'query', header: 'header' };

type Issue = ZodError['issues'][number] & {
  expected?: string;
  origin?: string;
  inclusive?: boolean;
  keys?: string[];
  format?: string;
};

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const TYPE_OF_EXPECTED: Record<string, string> = {
  number: 'float_type',
  int: 'int_type',
  string: 'string_type',
  boolean: 'bool_type',
  object: 'dict_type',
  record: 'dict_type',
  array: 'list_type',
};

/** pydantic v2's error type for one zod issue (https://docs.pydantic.dev/latest/errors/validation_errors/). */
function pydanticType(issue: Issue, data: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const input = valueAt(data, issue.path);
      if (input === undefined && issue.path.length > 0) return 'missing';
      if (issue.path.length === 0 && issue.expected === 'object') return 'model_attributes_type';
      if (issue.expected === 'int' && typeof input === 'number') return 'int_from_float';
      return TYPE_OF_EXPECTED[issue.expected ?? ''] ?? 'value_error';
    }
    case 'too_small':
      if (issue.origin === 'string') return 'string_too_short';
      if (issue.origin === 'array' || issue.origin === 'set') return 'too_short';
      return issue.inclusive === false ? 'greater_than' : 'greater_than_equal';
    case 'too_big':
      if (issue.origin === 'string') return 'string_too_long';
      if (issue.origin === 'array' || issue.origin === 'set') return 'too_long';
      return issue.inclusive === false ? 'less_than' : 'less_than_equal';
    case 'invalid_format':
      return 'string_pattern_mismatch';
    case 'invalid_value':
      return 'literal_error';
    case 'invalid_union':
      return 'union_tag_invalid';
    case 'not_multiple_of':
      return 'multiple_of';
    default:
      return 'value_error';
  }
}

/**
 * FastAPI's `detail` list for a failed parse of the value at `location` (`data`: the value as
 * sent, to tell a missing field from a wrong one). Unknown keys become one `extra_forbidden` item
 * each, as pydantic reports them with `extra="forbid"`.
 */
export function fastApiItems(error: ZodError, location: FastApiLocation, data?: unknown, accepted?: readonly string[]): FastApiErrorItem[] {
  return (error.issues as Issue[]).flatMap((issue): FastApiErrorItem[] => {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      const also = accepted?.length ? ` (accepted: ${accepted.join(', ')})` : '';
      return (issue.keys ?? []).map((key) => ({ loc: [location, ...path, key], msg: `Extra inputs are not permitted${also}`, type: 'extra_forbidden' }));
    }
    return [{ loc: [location, ...path], msg: issue.message, type: pydanticType(issue, data) }];
  });
}

interface HookResult {
  success: boolean;
  error?: unknown;
  target?: string;
  data?: unknown;
}

/** The 422 answer for a failed parse: the house body plus FastAPI's `detail` list. */
export function fastApiValidationFailure(c: Context, body: ZodType, target: string, error: ZodError, data: unknown): Response {
  const location = LOCATIONS[target] ?? 'body';
  const unknown = target === 'json' ? unknownKeysError(body, error) : undefined;
  const house = unknown ? errorBody(unknown.code, unknown.message, unknown.details) : validationError(error);
  const accepted = unknown ? (unknown.details as { accepted?: string[] }).accepted : undefined;
  return c.json({ ...house, detail: fastApiItems(error, location, data, accepted) }, 422);
}

/** A route's validation hook on the drop-in routes (body: the route's strict body schema). */
export function fastApiHook(body: ZodType) {
  // Generic in the route's env and path: a plain `Context` would widen the route's path to `string` (ADR 0032).
  return function fastApiHook<E extends Env, P extends string>(result: HookResult, c: Context<E, P>) {
    if (result.success) return undefined;
    // zod-validator passes the raw value as `data` on failure too (not in its types).
    return fastApiValidationFailure(c, body, result.target ?? 'json', result.error as ZodError, result.data) as never;
  };
}

/** An error a handler throws with its own `detail` list (e.g. a header at fault: `loc: ["header", …]`). */
export class FastApiError extends ApiError {
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    readonly items: FastApiErrorItem[],
    details?: unknown,
  ) {
    super(status, code, message, details);
  }
}

function isHouseError(body: unknown): body is { error: { code: string; message: string; details?: unknown }; detail?: unknown } {
  if (!body || typeof body !== 'object' || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return !!error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string';
}

/** A 422 that came without a list (thrown by a handler or the store): one item per detail path, else one for the body. */
function itemsOf(error: { message: string; details?: unknown }): FastApiErrorItem[] {
  const details = error.details;
  if (Array.isArray(details) && details.length && details.every((d) => d && typeof d.path === 'string' && typeof d.message === 'string')) {
    return details.map((d: { path: string; message: string }) => ({ loc: ['body', ...(d.path ? d.path.split('.') : [])], msg: d.message, type: 'value_error' }));
  }
  return [{ loc: ['body'], msg: error.message, type: 'value_error' }];
}

/** Adds FastAPI's `detail` to every JSON error answered under the prefix it is mounted on. */
export const fastApiDetail: MiddlewareHandler = async function fastApiDetail(c, next) {
  await next();
  const res = c.res;
  if (res.status < 400 || !/^application\/json/i.test(res.headers.get('Content-Type') ?? '')) return;
  let body: unknown;
  try {
    body = await res.clone().json();
  } catch {
    return;
  }
  if (!isHouseError(body) || body.detail !== undefined) return;
  const own = c.error instanceof FastApiError ? c.error.items : undefined;
  const detail = own ?? (res.status === 422 ? itemsOf(body.error) : body.error.message);
  const headers = new Headers(res.headers);
  headers.delete('Content-Length');
  // Replaced outright (not through c.res's header merge): same status and headers, new body.
  c.res = undefined as never;
  c.res = new Response(JSON.stringify({ ...body, detail }), { status: res.status as ContentfulStatusCode, headers });
};
