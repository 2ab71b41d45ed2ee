/** One error shape everywhere: `{ error: { code, message, details? } }` (DESIGN, HTTP conventions). */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { describeZodError } from '../../shared/schemas.ts';
import { StoreInputError } from '../store/errors.ts';

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(status, { message });
  }
}

export const notFound = (what = 'resource') => new ApiError(404, 'not_found', `No such ${what}.`);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** 422 body for a zod failure, naming each field. */
export function validationError(error: ZodError) {
  return errorBody(
    'validation_failed',
    describeZodError(error),
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'unavailable',
};

export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status);
  if (err instanceof ZodError) return c.json(validationError(err), 422);
  if (err instanceof StoreInputError) return c.json(errorBody('validation_failed', err.message), 422);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = STATUS_CODES[status] ?? 'error';
    let message = err.message || code;
    if (status === 400 && /json/i.test(message)) message = 'The request body is not valid JSON.';
    const res = c.json(errorBody(status === 400 && /json/i.test(err.message) ? 'malformed_json' : code, message), status);
    const retryAfter = err.res?.headers.get('Retry-After');
    if (retryAfter) res.headers.set('Retry-After', retryAfter);
    return res;
  }
  console.error('[groundtruth] unexpected error', err);
  return c.json(errorBody('internal', 'Something went wrong on the server; it has been logged.'), 500);
}
