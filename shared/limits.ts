/** Named limits shared by the extension and the server. Change them here only. */
export const LIMITS = {
  /** Mutations in one POST /v1/sync. */
  syncMaxMutations: 500,
  /** Bytes in one request body (POST /v1/sync and every other JSON body). */
  maxBodyBytes: 1024 * 1024,
  commentMaxChars: 2000,
  /** Prompt / output / correction text, after redaction. */
  textMaxChars: 100_000,
  /** Earlier turns kept with a target. */
  messagesMax: 20,
  alternativesMax: 10,
  tagsMax: 20,
  tagMaxChars: 64,
  labelMaxChars: 128,
  /** A rating's criterion name (shared/schemas.ts, Criterion). */
  criterionMaxChars: 64,
  keyMaxChars: 512,
  shortTextMaxChars: 256,
  urlMaxChars: 4096,
  /** Serialized JSON of `context` and `correction.fields`. */
  contextMaxBytes: 16 * 1024,
  listDefaultLimit: 50,
  listMaxLimit: 500,
  /**
   * How far ahead of the server's clock a client's time may be (the default of the server's
   * MAX_CLOCK_SKEW_SECONDS); beyond it a write is refused as `clock_ahead` (DESIGN, "Clocks").
   */
  clockSkewSeconds: 300,
} as const;
