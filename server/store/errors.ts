/**
 * Input the database cannot store, found at the store boundary (e.g. U+0000 in text, which
 * PostgreSQL refuses). The HTTP layer answers it with 422 like any other validation failure.
 */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
}
