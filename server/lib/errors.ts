/**
 * One error shape everywhere: `{ error: { code, message, details? } }` (DESIGN, HTTP conventions),
 * and one mapping from what went wrong to the status and body that answer it: `describeError`.
 * The app's one onError (handleError) answers with it in JSON, or, on a dashboard request, as the
 * dashboard's HTML error page (the dashboard puts its renderer on the context as `errorPage`).
 * Store errors come with codes (store/errors.ts) and are mapped here by code, never by wording.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { describeZodError } from '../../shared/schemas.ts';
import { StoreError, StoreUnavailableError, type StoreErrorCode } from '../store/errors.ts';
import { logger } from '../metrics/log.ts';

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

/**
 * How each store code is answered over HTTP: the status and the body's code. A code added to
 * store/errors.ts must be added here (the Record type says so at build time).
 */
export const STORE_ERROR_HTTP: Record<StoreErrorCode, { status: ContentfulStatusCode; code: string }> = {
  nul_character: { status: 422, code: 'validation_failed' },
  invalid_mutation: { status: 422, code: 'validation_failed' },
  id_mismatch: { status: 422, code: 'validation_failed' },
  owned_by_other_rater: { status: 403, code: 'forbidden' },
  queue_not_found: { status: 422, code: 'queue_not_found' },
  not_in_queue: { status: 422, code: 'not_in_queue' },
  unavailable: { status: 503, code: 'unavailable' },
};

/**
 * The HTTP answer to a rejected mutation, by its `reason` code (MutationResult): a code the store
 * gives maps as in STORE_ERROR_HTTP; anything else is a plain validation failure.
 */
export function rejectionError(reason: string | undefined, message: string): ApiError {
  const mapped = reason && Object.hasOwn(STORE_ERROR_HTTP, reason) ? STORE_ERROR_HTTP[reason as StoreErrorCode] : undefined;
  return mapped ? new ApiError(mapped.status, mapped.code, message) : new ApiError(422, 'validation_failed', message);
}

/** Body codes of errors that come with a status only (hono's own HTTPExceptions). */
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

/** What an error is answered with. */
export interface ErrorAnswer {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  details?: unknown;
  /** E.g. Retry-After of a 503. */
  headers?: Record<string, string>;
  /** Not a refusal but a fault of the server: logged, and its message says no more than that. */
  unexpected?: boolean;
}

const INTERNAL = 'Something went wrong on the server; it has been logged.';

/** The one mapping: any thrown error → status, code, message (and details, headers). */
export function describeError(err: unknown): ErrorAnswer {
  if (err instanceof ApiError) return { status: err.status as ContentfulStatusCode, code: err.code, message: err.message, details: err.details };
  if (err instanceof StoreError) {
    const { status, code } = STORE_ERROR_HTTP[err.code];
    const headers = err instanceof StoreUnavailableError ? { 'Retry-After': String(err.retryAfterSeconds) } : undefined;
    return { status, code, message: err.message, ...(headers ? { headers } : {}) };
  }
  if (err instanceof ZodError) {
    const body = validationError(err).error;
    return { status: 422, code: body.code, message: body.message, details: body.details };
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const json = status === 400 && /json/i.test(err.message);
    const code = json ? 'malformed_json' : (STATUS_CODES[status] ?? 'error');
    const message = json ? 'The request body is not valid JSON.' : err.message || code;
    const retryAfter = err.res?.headers.get('Retry-After');
    return { status, code, message, ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}) };
  }
  // c.req.parseBody() throws a TypeError for a body that is not the form its Content-Type claims
  // (e.g. multipart/form-data without a valid boundary): the request is bad, not the server.
  if (err instanceof TypeError && /parse body/i.test(err.message)) {
    return { status: 400, code: 'bad_request', message: 'The form could not be read; reload the page and try again.' };
  }
  return { status: 500, code: 'internal', message: INTERNAL, unexpected: true };
}

/** Renders an error answer as a page (the dashboard's); set on the context by whoever serves pages. */
export type ErrorPage = (c: Context, answer: ErrorAnswer, err: unknown) => Response | Promise<Response>;

/** The app's one onError. */
export function handleError(err: Error, c: Context): Response | Promise<Response> {
  const answer = describeError(err);
  if (answer.unexpected) logger().error({ err }, 'unexpected error');
  const page = c.get('errorPage') as ErrorPage | undefined;
  if (page) {
    for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value);
    return page(c, answer, err);
  }
  const res = c.json(errorBody(answer.code, answer.message, answer.details), answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.headers.set(name, value);
  return res;
}
