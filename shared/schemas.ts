/**
 * The wire contracts of Groundtruth, written once. Server validation, Dexie rows and the API
 * client all derive from these (see ../../shared/DESIGN.md, "The feedback record").
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { SITE_VISITS_MAX, SiteVisit } from './site-health.ts';

export const TARGET_KINDS = [
  'chat_response',
  'error_analysis',
  'hypothesis',
  'query',
  'evidence',
  'synthesis',
  'investigation',
  'task',
  'other',
] as const;
export const TargetKind = z.enum(TARGET_KINDS);
export type TargetKind = z.infer<typeof TargetKind>;

export const ROLES = ['rater', 'analyst', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-02-01T12:00:00Z' });
const shortText = z.string().max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`);
const longText = z.string().max(LIMITS.textMaxChars, `at most ${LIMITS.textMaxChars} characters`);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be SHA-256 as 64 lowercase hex characters');

/** A JSON object whose serialized size stays under a limit. */
function boundedJsonObject(maxBytes: number) {
  return z
    .record(z.string(), z.unknown())
    .refine((v) => JSON.stringify(v).length <= maxBytes, `must serialize to at most ${maxBytes} bytes`);
}

export const ChatMessage = z.strictObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: longText,
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** The exact quote of a text selection, with context, so the target can be found again. */
export const TextQuote = z.strictObject({
  exact: longText,
  prefix: z.string().max(1000).optional(),
  suffix: z.string().max(1000).optional(),
  start: z.number().int().nonnegative().optional(),
  end: z.number().int().nonnegative().optional(),
});

export const Target = z.strictObject({
  kind: TargetKind,
  key: z.string().min(1, 'must not be empty').max(LIMITS.keyMaxChars, `at most ${LIMITS.keyMaxChars} characters`),
  site: shortText.optional(),
  url: z.string().max(LIMITS.urlMaxChars).optional(),
  conversationId: shortText.optional(),
  model: shortText.optional(),
  intent: shortText.optional(),
  project: shortText.optional(),
  subject: shortText.optional(),
  prompt: longText.optional(),
  messages: z.array(ChatMessage).max(LIMITS.messagesMax, `at most ${LIMITS.messagesMax} earlier turns`).optional(),
  output: longText.optional(),
  promptHash: sha256.optional(),
  outputHash: sha256.optional(),
  alternatives: z.array(longText).max(LIMITS.alternativesMax, `at most ${LIMITS.alternativesMax} alternatives`).optional(),
  quote: TextQuote.optional(),
  context: boundedJsonObject(LIMITS.contextMaxBytes).optional(),
});
export type Target = z.infer<typeof Target>;

export const Thumb = z.enum(['up', 'down']);
export type Thumb = z.infer<typeof Thumb>;

export const Rating = z
  .strictObject({
    thumb: Thumb.optional(),
    stars: z.number().int('stars must be a whole number').min(1, 'stars go from 1 to 5').max(5, 'stars go from 1 to 5').optional(),
    label: z.string().min(1).max(LIMITS.labelMaxChars).optional(),
  })
  .refine((r) => r.thumb !== undefined || r.stars !== undefined || r.label !== undefined, {
    message: 'a rating needs at least one of thumb, stars or label',
  });
export type Rating = z.infer<typeof Rating>;

export const Correction = z.strictObject({
  output: longText.optional(),
  fields: boundedJsonObject(LIMITS.contextMaxBytes).optional(),
});
export type Correction = z.infer<typeof Correction>;

/** What a rating judges when it names nothing: the one criterion the widget rates. */
export const DEFAULT_CRITERION = 'overall';
/**
 * What a rating judges (`helpfulness`, `correctness`, 003's feedback types such as `task_quality`),
 * as Langfuse score names and LangSmith feedback keys do. One live vote per rater + target + criterion.
 */
export const Criterion = z
  .string()
  .max(LIMITS.criterionMaxChars, `at most ${LIMITS.criterionMaxChars} characters`)
  .regex(/^[a-z0-9][a-z0-9_.:-]*$/, 'must be lowercase letters, digits and _ . : - (e.g. overall, task_quality)');

/**
 * Where a rating comes from (DESIGN, "Where a rating comes from"): a person (`human`, the default)
 * or an LLM judge (`model`, named). The channel is the server's to say (the route it came in by),
 * so a client sends only the type and the judge's name.
 */
export const SOURCE_TYPES = ['human', 'model'] as const;
export const SourceType = z.enum(SOURCE_TYPES);
export type SourceType = z.infer<typeof SourceType>;
export const CHANNELS = ['extension', 'api', 'dropin', 'link', 'embed'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;
export const SourceInput = z
  .strictObject({
    type: SourceType,
    /** The judge's name (required for `model`): ratings of one judge are that judge's votes. */
    name: shortText.min(1).optional(),
  })
  .refine((s) => s.type !== 'model' || s.name !== undefined, { message: 'a model source names its judge (source.name)', path: ['name'] })
  .refine((s) => s.type !== 'human' || s.name === undefined, { message: 'only a model source has a name', path: ['name'] });
export type SourceInput = z.infer<typeof SourceInput>;
/** The source as the API returns it: the channel always, the name when there is one. */
export const Source = z.strictObject({ type: SourceType, channel: Channel, name: z.string().optional() });
export type Source = z.infer<typeof Source>;

/** What a client sends: the feedback record without the fields the server adds. */
export const FeedbackInput = z.strictObject({
  id: z.uuid('must be a UUID'),
  target: Target,
  rating: Rating,
  /**
   * Absent means `overall` (DEFAULT_CRITERION). Kept absent rather than filled in, so a record sent
   * without it serializes and hashes as before and a replayed old batch stays `unchanged`.
   */
  criterion: Criterion.optional(),
  comment: z.string().max(LIMITS.commentMaxChars, `at most ${LIMITS.commentMaxChars} characters`).optional(),
  correction: Correction.optional(),
  tags: z.array(z.string().min(1).max(LIMITS.tagMaxChars)).max(LIMITS.tagsMax).optional(),
  /** Absent: a person (`{type: "human"}`). Kept absent when not sent, as `criterion` is. */
  source: SourceInput.optional(),
  /** The review queue this rating answers (issue 16): the item must be in that queue. */
  queueId: shortText.min(1).optional(),
  createdAt: isoDate,
  updatedAt: isoDate,
  deleted: z.boolean().optional(),
});
export type FeedbackInput = z.infer<typeof FeedbackInput>;

/** The stored record as the API returns it. */
export const Feedback = FeedbackInput.extend({
  /** Always in a server's answer since migration 0200; optional so older servers' records and export files still parse. */
  source: Source.optional(),
  receivedAt: isoDate,
  raterId: z.string(),
  workspaceId: z.string(),
  clientId: z.string().nullable(),
});
export type Feedback = z.infer<typeof Feedback>;

/**
 * A stored record back in the shape a client sends (a re-send, an import, a drop-in update): the
 * server's fields go, and the source keeps only what a client says (none for a person, so the
 * record hashes as it did when it was sent).
 */
export function feedbackToInput(f: Feedback): FeedbackInput {
  const { receivedAt: _r, raterId: _u, workspaceId: _w, clientId: _c, deleted: _d, source, ...input } = f;
  return source && source.type === 'model' ? { ...input, source: { type: 'model', ...(source.name ? { name: source.name } : {}) } } : input;
}

/** PATCH /v1/feedback/:id: the fields a rater may change. updatedAt defaults to the server's clock. */
export const FeedbackPatch = z
  .object({
    rating: Rating.optional(),
    comment: z.string().max(LIMITS.commentMaxChars).nullable().optional(),
    correction: Correction.nullable().optional(),
    tags: z.array(z.string().min(1).max(LIMITS.tagMaxChars)).max(LIMITS.tagsMax).optional(),
    updatedAt: isoDate.optional(),
  })
  .strict();
export type FeedbackPatch = z.infer<typeof FeedbackPatch>;

export const Mutation = z.discriminatedUnion('op', [
  z.object({ id: z.uuid('must be a UUID'), op: z.literal('upsert'), updatedAt: isoDate, feedback: FeedbackInput }),
  z.object({ id: z.uuid('must be a UUID'), op: z.literal('delete'), updatedAt: isoDate }),
]);
export type Mutation = z.infer<typeof Mutation>;

/**
 * The sync envelope. Mutations are checked one by one (one bad mutation is rejected, the rest
 * apply), so the envelope only requires each to be an object.
 */
/** The longest `userId` a sync may name (server/store/anonymous-raters.ts keeps the same bound). */
export const SYNC_USER_ID_MAX_CHARS = 200;

export const SyncRequest = z.object({
  clientId: z.string().min(1).max(LIMITS.shortTextMaxChars),
  mutations: z
    .array(z.record(z.string(), z.unknown()))
    .max(LIMITS.syncMaxMutations, `at most ${LIMITS.syncMaxMutations} mutations per batch`),
  /** Adapter health counters (shared/site-health.ts), sent only to servers with the `health` capability. */
  health: z.array(SiteVisit).max(SITE_VISITS_MAX, `at most ${SITE_VISITS_MAX} visits per batch`).optional(),
  /** All or nothing (DESIGN, "Atomic batches"). */
  atomic: z.boolean().optional(),
  /**
   * The embedding app's id of its user (issue 17): the rater is `user:<id>`. Only with a public key
   * (422 `user_id_not_allowed` otherwise); without one, each browser is an anonymous rater.
   */
  userId: z.string().trim().min(1, 'must not be empty').max(SYNC_USER_ID_MAX_CHARS, `at most ${SYNC_USER_ID_MAX_CHARS} characters`).optional(),
}).strict(); // an unknown envelope field is 422 unknown_field (DESIGN, "Errors"); mutations are checked one by one
export type SyncRequest = z.infer<typeof SyncRequest>;

export const MUTATION_STATUSES = ['applied', 'unchanged', 'stale', 'rejected'] as const;
/**
 * The reason code of a write stamped more than the allowed skew ahead of the server's clock: the
 * one rejection a client does not drop — it corrects its clock from `serverTime` and sends again.
 */
export const CLOCK_AHEAD = 'clock_ahead';
/**
 * The reason code of the other mutations of an atomic batch (`"atomic": true`) in which one was
 * rejected: nothing of it was written (DESIGN, "Atomic batches"); fix the culprit and send it again.
 */
export const ATOMIC_BATCH_NOT_APPLIED = 'atomic_batch_not_applied';
export const MutationResult = z.object({
  id: z.string(),
  status: z.enum(MUTATION_STATUSES),
  /** Readable reason of a rejected (or stale) mutation. */
  error: z.string().optional(),
  /** Machine-readable reason code of a rejection, where a client acts on it: `clock_ahead`. */
  reason: z.string().optional(),
});
export type MutationResult = z.infer<typeof MutationResult>;

export const SyncResponse = z.object({
  results: z.array(MutationResult),
  serverTime: isoDate,
  /** Version of the workspace's published extension config: a client holding another one fetches it. */
  configVersion: z.number().int().nonnegative().optional(),
  /** Health visits stored from this request. */
  healthAccepted: z.number().int().nonnegative().optional(),
});
export type SyncResponse = z.infer<typeof SyncResponse>;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One readable line from a zod error: "target.key: must not be empty; rating: …". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
