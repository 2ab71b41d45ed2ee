/**
 * Items: AI outputs that programs (pipelines, agents) register for people to review, and the
 * convention by which feedback targets them. Shared by the server (validation, OpenAPI), the
 * dashboard's review queue and any client. See docs/api/items-and-events.md.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { TargetKind } from './schemas.ts';

/**
 * Feedback about an item uses `target.key = "item:" + the item's external key` (and, by habit, the
 * item's kind). That is how `GET /v1/items?unrated=1` knows an item has been rated.
 */
export const ITEM_KEY_PREFIX = 'item:';
export function itemTargetKey(externalKey: string): string {
  return `${ITEM_KEY_PREFIX}${externalKey}`;
}

export const ITEM_LIMITS = {
  /** Items in one POST /v1/items. */
  batchMax: 500,
  /** The external key, so that "item:" + key still fits a feedback target key. */
  keyMaxChars: LIMITS.keyMaxChars - ITEM_KEY_PREFIX.length,
  /** Serialized JSON of an item's context (logs can be long, so more than a feedback context). */
  contextMaxBytes: 64 * 1024,
} as const;

const shortText = z.string().max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`);
const longText = z.string().max(LIMITS.textMaxChars, `at most ${LIMITS.textMaxChars} characters`);

/** Where the output came from (an orchestrator's ids) and what it was about. Other keys are kept as sent. */
export const ItemContext = z
  .object({
    dag_id: shortText.optional(),
    task_id: shortText.optional(),
    run_id: shortText.optional(),
    error_message: longText.optional(),
    log_context: longText.optional(),
  })
  .catchall(z.unknown())
  .refine((v) => JSON.stringify(v).length <= ITEM_LIMITS.contextMaxBytes, `must serialize to at most ${ITEM_LIMITS.contextMaxBytes} bytes`);
export type ItemContext = z.infer<typeof ItemContext>;

/** What the AI concluded, so a reviewer can confirm or correct it field by field. */
export const ItemPrediction = z.object({
  category: shortText.optional(),
  severity: shortText.optional(),
  confidence: z.number().min(0, 'confidence goes from 0 to 1').max(1, 'confidence goes from 0 to 1').optional(),
  reasoning: longText.optional(),
}).strict();
export type ItemPrediction = z.infer<typeof ItemPrediction>;

/** One item as a program sends it. `key` is the program's own id for it: sending it again updates, never duplicates. */
export const ItemInput = z.object({
  key: z
    .string()
    .min(1, 'must not be empty')
    .max(ITEM_LIMITS.keyMaxChars, `at most ${ITEM_LIMITS.keyMaxChars} characters`),
  kind: TargetKind,
  subject: shortText.optional(),
  model: shortText.optional(),
  intent: shortText.optional(),
  project: shortText.optional(),
  url: z.string().max(LIMITS.urlMaxChars).optional(),
  /** What the AI was given (a prompt, a log excerpt, a question). */
  input: longText.optional(),
  /** What the AI produced: the thing to review. */
  output: longText.min(1, 'must not be empty'),
  context: ItemContext.optional(),
  prediction: ItemPrediction.optional(),
}).strict(); // an unknown field rejects the item, by name (each item is checked on its own); `context` stays open
export type ItemInput = z.infer<typeof ItemInput>;

/**
 * POST /v1/items. Items are checked one by one (one bad item is rejected with its reason, the rest
 * land), so the envelope only requires each to be an object.
 */
export const ItemsRequest = z.object({
  items: z
    .array(z.record(z.string(), z.unknown()))
    .min(1, 'send at least one item')
    .max(ITEM_LIMITS.batchMax, `at most ${ITEM_LIMITS.batchMax} items per batch`),
}).strict();
export type ItemsRequest = z.infer<typeof ItemsRequest>;

export const ITEM_STATUSES = ['created', 'updated', 'unchanged', 'rejected'] as const;
export const ItemResult = z.object({
  /** The external key as sent ('' when there was none). */
  key: z.string(),
  /** The server's id for the item (absent when rejected). */
  id: z.string().optional(),
  status: z.enum(ITEM_STATUSES),
  error: z.string().optional(),
});
export type ItemResult = z.infer<typeof ItemResult>;

export const ItemsResponse = z.object({ results: z.array(ItemResult) });
export type ItemsResponse = z.infer<typeof ItemsResponse>;

/** An item as the API returns it. */
export const Item = ItemInput.extend({
  id: z.string(),
  /** Put this in `target.key` to rate the item. */
  targetKey: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Item = z.infer<typeof Item>;

const flag = z.enum(['1', '0', 'true', 'false']);

export const ItemsQuery = z.object({
  unrated: flag.optional().describe('1: only items that no live feedback in the workspace targets yet (the review queue)'),
  kind: TargetKind.optional(),
  subject: z.string().max(LIMITS.shortTextMaxChars).optional(),
  model: z.string().max(LIMITS.shortTextMaxChars).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.listMaxLimit).default(LIMITS.listDefaultLimit),
  cursor: z.string().max(500).optional().describe('nextCursor from the previous page'),
});
export type ItemsQuery = z.infer<typeof ItemsQuery>;

export const ItemsPage = z.object({ items: z.array(Item), nextCursor: z.string().nullable() });
export type ItemsPage = z.infer<typeof ItemsPage>;
