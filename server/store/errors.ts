/**
 * What the store refuses or cannot do, as typed errors with a machine code. The store knows no
 * HTTP: server/lib/errors.ts maps each code to a status and a body, once, for the API and the
 * dashboard alike. Mutation results carry the same codes as `reason` (MutationResult), so a route
 * answers a rejected mutation by its code, never by its wording.
 */

/** Every code the store gives, with what it means. */
export const STORE_ERROR_CODES = {
  /** Text the database cannot store: U+0000 (PostgreSQL text cannot hold it; refused on SQLite alike). */
  nul_character: 'text with the NUL character (U+0000)',
  /** The mutation is not a valid mutation (schema): its message names the fields. */
  invalid_mutation: 'not a valid mutation',
  /** The mutation's id and its record's id differ. */
  id_mismatch: 'the mutation id and the record id differ',
  /** The record belongs to another rater (only an admin may delete another rater's record). */
  owned_by_other_rater: "another rater's record",
  /** The record names a review queue (`queueId`) that is not one of the workspace's (server/queues/write-check.ts). */
  queue_not_found: 'no such review queue',
  /** The record's target, criterion or rater does not belong to the review queue it names. */
  not_in_queue: 'not part of that review queue',
  /** The database cannot be reached, or no pooled connection came free in time: retry shortly. */
  unavailable: 'the database is unavailable',
} as const;
export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** Input the database cannot store, found at the store boundary (U+0000 in text). */
export class StoreInputError extends StoreError {
  override name = 'StoreInputError';
  constructor(message: string) {
    super('nul_character', message);
  }
}

/**
 * The database cannot be reached, or no pooled connection came free in time: answered 503 with
 * Retry-After, so load balancers and clients back off and retry instead of seeing a 500.
 */
export class StoreUnavailableError extends StoreError {
  override name = 'StoreUnavailableError';
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super('unavailable', message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 2;
  }
}
