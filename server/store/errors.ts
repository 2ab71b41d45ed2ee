/**
 * Input the database cannot store, found at the store boundary (e.g. U+0000 in text, which
 * PostgreSQL refuses). An HTTPException with status 422, so every error handler (the API's JSON
 * one, the dashboard's HTML one) answers it as a validation failure, never as a 500.
 */
import { HTTPException } from 'hono/http-exception';

export class StoreInputError extends HTTPException {
  override name = 'StoreInputError';
  constructor(message: string) {
    super(422, { message });
  }
}

/**
 * The database cannot be reached, or no pooled connection came free in time: 503 with
 * Retry-After, so load balancers and clients back off and retry instead of seeing a 500.
 */
export class StoreUnavailableError extends HTTPException {
  override name = 'StoreUnavailableError';
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(503, {
      message,
      cause: options.cause,
      res: new Response(null, { status: 503, headers: { 'Retry-After': String(options.retryAfterSeconds ?? 2) } }),
    });
  }
}
