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
