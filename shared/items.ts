/**
 * Items: AI outputs that programs (pipelines, agents) register for people to review, and the
 * convention by which feedback targets them. Shared by the server (validation, OpenAPI), the
 * dashboard's review queue and any client. See docs/api/items-and-events.md.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import type { AnalysisFieldName } from './analysis.ts';
import { Bound, conflicts, Flag, type Conflict } from './filters.ts';
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

/**
 * What the AI concluded (DAGnostics' ai_analysis), so a reviewer can confirm or correct it field by
 * field. Its fields are the analysis fields of shared/analysis.ts (ANALYSIS_FIELDS), one schema per
 * field: `satisfies` makes adding a field there fail to compile here until it has one.
 */
const PREDICTION_SHAPE = {
  extractedError: longText.optional(),
  category: shortText.optional(),
  severity: shortText.optional(),
  confidence: z.number().min(0, 'confidence goes from 0 to 1').max(1, 'confidence goes from 0 to 1').optional(),
  reasoning: longText.optional(),
} satisfies Record<AnalysisFieldName, z.ZodType>;
export const ItemPrediction = z.object(PREDICTION_SHAPE).strict();
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
  /**
   * What the AI produced: the thing to review. Optional: an error may be posted before its
   * analysis ran (state `awaiting_analysis`); a later post with the same key brings it.
   */
  output: longText.min(1, 'must not be empty').optional(),
  context: ItemContext.optional(),
  prediction: ItemPrediction.optional(),
  /**
   * When it happened (the error's time), ISO 8601 with an offset; absent: when it arrived. More
   * than MAX_CLOCK_SKEW_SECONDS ahead of the server is rejected with reason `clock_ahead`. Fixed by
   * the first post that sends one (a later analysis post does not move it).
   */
  createdAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-02-01T10:00:00Z' }).optional(),
}).strict(); // an unknown field rejects the item, by name (each item is checked on its own); `context` stays open
export type ItemInput = z.infer<typeof ItemInput>;

/** Does the item carry an analysis (an output, or any predicted field)? Without one it awaits it. */
export function hasAnalysis(item: Pick<ItemInput, 'output' | 'prediction'>): boolean {
  return item.output !== undefined || (item.prediction !== undefined && Object.values(item.prediction).some((v) => v !== undefined));
}

export const ITEM_STATES = ['awaiting_analysis', 'ready'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

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
  /** Machine-readable reason of a rejection where a client acts on it: `clock_ahead` (correct the clock from serverTime, send again). */
  reason: z.string().optional(),
});
export type ItemResult = z.infer<typeof ItemResult>;

export const ItemsResponse = z.object({ results: z.array(ItemResult), serverTime: z.string() });
export type ItemsResponse = z.infer<typeof ItemsResponse>;

/** An item as the API returns it. */
export const Item = ItemInput.extend({
  id: z.string(),
  /** Put this in `target.key` to rate the item. */
  targetKey: z.string(),
  /** As sent (ISO UTC), else the arrival time. */
  createdAt: z.string(),
  updatedAt: z.string(),
  /** `awaiting_analysis` until a post brings an output or a prediction; then `ready`. */
  state: z.enum(ITEM_STATES),
  /**
   * Present (true) when `prediction` is withheld: a rater's item in a blind review queue, until they
   * submit their review of it there (docs/api/queues.md, "Blind review").
   */
  blinded: z.literal(true).optional(),
});
export type Item = z.infer<typeof Item>;

/** An empty value (`model=`, an empty form field) counts as absent (DESIGN, "Errors"). */
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blankIsAbsent, s.optional());
const text = z.string().max(LIMITS.shortTextMaxChars);
// Flags and time bounds read as in every feedback list (shared/filters.ts).
const flag = Flag;
const instant = Bound;

/**
 * The filters of the item list and the review queue (API, dashboard queue, `groundtruth review`),
 * described once. All are on the item's createdAt (as sent) or its indexed fields; newest first.
 */
export const ITEM_FILTER_SHAPE = {
  date: opt(z.iso.date({ error: 'must be a date, YYYY-MM-DD' })).describe('The UTC day of createdAt (YYYY-MM-DD)'),
  days: opt(z.coerce.number().int().min(1).max(36500)).describe('createdAt within the last N days'),
  since: opt(instant).describe('createdAt at or after this (ISO date-time, or a date: its midnight UTC)'),
  until: opt(instant).describe('createdAt before this (exclusive; ISO date-time, or a date: its midnight UTC)'),
  subject: opt(text).describe('The subject (the DAG, dataset, service)'),
  task: opt(text).describe('context.task_id'),
  category: opt(text).describe('prediction.category'),
  model: opt(text).describe('The model'),
  kind: opt(TargetKind).describe('The target kind'),
  hasAnalysis: opt(flag).describe('1/true: only items with an analysis (state ready); 0/false: only those awaiting one'),
  unrated: opt(flag).describe('1/true: only items that no live feedback in the workspace targets yet (the review queue)'),
};
export type ItemFilterParam = keyof typeof ITEM_FILTER_SHAPE;
export const ITEM_FILTER_PARAMS = Object.keys(ITEM_FILTER_SHAPE) as ItemFilterParam[];

export const ItemFilterValues = z.object(ITEM_FILTER_SHAPE);
export type ItemFilterValues = z.output<typeof ItemFilterValues>;

export const ItemsQuery = z.object({
  ...ITEM_FILTER_SHAPE,
  limit: z.preprocess(blankIsAbsent, z.coerce.number().int().min(1).max(LIMITS.listMaxLimit).default(LIMITS.listDefaultLimit)),
  cursor: opt(z.string().max(500)).describe('nextCursor from the previous page'),
});
export type ItemsQuery = z.output<typeof ItemsQuery>;

export type ItemConflict = Conflict;

/**
 * Windows that would have to be resolved silently, refused instead (400 `conflicting_parameters`):
 * `date` with `days`, `since` or `until`; and, as in every feedback list (shared/filters.ts'
 * `conflicts`, reused), `days` with `since` or `until` and a `since` not before `until`.
 */
export function itemFilterConflicts(f: Pick<ItemFilterValues, 'date' | 'days' | 'since' | 'until'>): ItemConflict[] {
  const out: ItemConflict[] = [];
  for (const k of ['days', 'since', 'until'] as const) {
    if (f.date !== undefined && f[k] !== undefined) out.push({ params: ['date', k], message: `date cannot be combined with ${k}: give one day by date, or a window by days or since/until` });
  }
  return [...out, ...conflicts({ days: f.days, since: f.since, until: f.until })];
}

/** The createdAt window the filters mean, as ISO UTC bounds (`until` exclusive); `now` for `days`. */
export function itemWindow(f: Pick<ItemFilterValues, 'date' | 'days' | 'since' | 'until'>, now: Date): { since?: string; until?: string } {
  if (f.date !== undefined) {
    const start = new Date(`${f.date}T00:00:00Z`);
    return { since: start.toISOString(), until: new Date(start.getTime() + 86_400_000).toISOString() };
  }
  if (f.days !== undefined) return { since: new Date(now.getTime() - f.days * 86_400_000).toISOString() };
  return { since: f.since, until: f.until };
}

export const ItemsPage = z.object({ items: z.array(Item), nextCursor: z.string().nullable() });
export type ItemsPage = z.infer<typeof ItemsPage>;

/** Filter values as query-string values (links that keep the filters; the CLI's API calls). */
export function itemFilterQuery(values: Partial<ItemFilterValues>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ITEM_FILTER_PARAMS) {
    const v = values[p];
    if (v === undefined || v === null) continue;
    out[p] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }
  return out;
}
