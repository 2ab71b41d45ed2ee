import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody, Feedback, FeedbackInput, FeedbackPatch, MutationResult, feedbackToInput, type Channel } from '../../shared/schemas.ts';
import { FILTER_SHAPE, Flag, refuseConflicts } from '../../shared/filters.ts';
import { DropInCreated, DropInDeleted, DropInFeedback, DropInFeedbackInput, DropInFeedbackUpdate } from '../../shared/dropin-feedback.ts';
import { LIMITS } from '../../shared/limits.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { applyDropInUpdate, dropInBodyHook, dropInToInput, isDropInBody, isDropInRecord, toDropIn } from '../dropin/feedback-v1.ts';
import { fastApiHook } from '../lib/fastapi-detail.ts';
import { aheadAfter, clockAheadError, clockNow, createdNotAfter, findClockAhead, stampAfter } from '../lib/clock.ts';
import { ApiError, forbidden, notFound, rejectionError } from '../lib/errors.ts';
import { redactProgramFeedback, redactProgramPatch } from '../lib/program-feedback.ts';
import { programTextRedactor } from '../lib/program-text.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { explainUnionFailure } from '../lib/union-body.ts';
import { feedbackReadoutRoutes } from './feedback-readouts.ts';
import type { TokenInfo } from '../store/tokens.ts';
import { applyMutations, applyMutationsWithRows, type Actor } from '../store/feedback.ts';
import type { FeedbackTable } from '../store/schema.ts';
import { decodeCursor } from '../store/cursor.ts';
import { getFeedbackRow, listFeedback, rowToFeedback, type Scope } from '../store/feedback-read.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Malformed JSON', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Wrong role', content: json(ErrorBody) },
  404: { description: 'Unknown id', content: json(ErrorBody) },
  409: { description: 'A newer version is stored', content: json(ErrorBody) },
  422: { description: 'Schema violation', content: json(ErrorBody) },
} as const;

/**
 * Raters read their own records; analysts and admins their whole workspace. This is also what keeps
 * a judge's score (source.type "model", posted by a program's token) from a rater in a blind queue
 * (server/queues/blind.ts): under every filter, a rater token lists only rows of its own rater id.
 */
function readScope(auth: TokenInfo): Scope {
  return auth.role === 'rater' ? { workspaceId: auth.workspaceId, raterId: auth.raterId } : { workspaceId: auth.workspaceId };
}

const Written = z.object({ status: MutationResult.shape.status, feedback: Feedback });

/** Turns a single-mutation result into an HTTP outcome: a rejection by its reason code (lib/errors.ts). */
/**
 * The caller's record as its write stored it (applyMutationsWithRows), for the answer: no read
 * after the write, which would wait for the SQLite connection behind the next group's transaction.
 */
function storedRow(rows: ReadonlyMap<string, FeedbackTable>, id: string, auth: TokenInfo): FeedbackTable {
  const row = rows.get(id);
  if (!row || row.workspace_id !== auth.workspaceId || row.rater_id !== auth.raterId) throw notFound('feedback');
  return row;
}

function failureOf(result: MutationResult): ApiError | undefined {
  if (result.status === 'stale') return new ApiError(409, 'stale', result.error ?? 'A newer version of this feedback is already stored.');
  if (result.status === 'rejected') return rejectionError(result.reason, result.error ?? 'rejected');
  return undefined;
}

const create = createRoute({
  method: 'post',
  path: '/v1/feedback',
  summary: 'Submit one feedback record (idempotent by id), or one in the drop-in shape {query, response, model, rating: 1|-1}',
  description:
    'The native body is a FeedbackInput and answers `{status, feedback}`. The drop-in body `{query, response, model, rating: 1|-1, ' +
    'intent?, project?, user_id?, session_id?, memory_used?, tools_called?, metadata?, created_at?}` (seed 002) answers 201 ' +
    '`{status: "success", feedback_id}`; another field is 422 `unknown_field`, and its errors carry FastAPI\'s `detail` too; ' +
    'each such POST is a new record, its text is redacted unless the workspace turned that off, and SHA-256 hashes of the query and ' +
    'response as sent are kept. A drop-in rating other than 1 or -1 is 422. A native createdAt or updatedAt more than ' +
    'MAX_CLOCK_SKEW_SECONDS (default 300) ahead of the server is 422 `clock_ahead`.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { body: { required: true, content: json(z.union([FeedbackInput, DropInFeedbackInput])) } },
  responses: {
    201: { description: 'Stored (native: {status, feedback}; drop-in: {status: "success", feedback_id})', content: json(z.union([Written, DropInCreated])) },
    200: { description: 'Already stored as sent (replay)', content: json(Written) },
    ...errors,
  },
});

/** The list's query: the filters of every list (shared/filters.ts) and its paging. */
const ListQuery = z
  .object({
    ...FILTER_SHAPE,
    includeDeleted: Flag.optional().openapi({ description: 'Also list tombstones (deleted records)' }),
    limit: z.coerce.number().int().min(1).max(LIMITS.listMaxLimit).default(LIMITS.listDefaultLimit),
    cursor: z.string().max(500).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).optional().openapi({ description: 'Skip this many records (003\'s get_filtered paging); not with cursor' }),
  })
  .superRefine(refuseConflicts);

const list = createRoute({
  method: 'get',
  path: '/v1/feedback',
  summary: 'List feedback, newest first, with filters and cursor (or offset) pagination',
  description:
    'Raters see only their own records. The filters are the same on every list (exports, insights, the dashboard, the CLI). ' +
    'An unknown query parameter is 400 `unknown_parameter`; minStars above maxStars, or since not before until, is 422.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(ListQuery.shape))] as const,
  request: { query: ListQuery },
  responses: {
    200: {
      description: 'A page of records',
      content: json(z.object({ items: z.array(z.any()), nextCursor: z.string().nullable() })),
    },
    ...errors,
  },
});

const IdParam = z.object({ id: z.string().min(1).max(100) });

const FormatQuery = z.object({
  format: z
    .enum(['native', 'dropin'])
    .optional()
    .describe('native: the feedback record; dropin: {feedback_id, query, response, rating, …}. Default: the shape the record was created in'),
});

const getOne = createRoute({
  method: 'get',
  path: '/v1/feedback/{id}',
  summary: 'Read one feedback record (in the shape it was created in, or as ?format= asks)',
  description:
    'A record created with the drop-in body answers in the drop-in shape {feedback_id, query, response, model, rating, …}; any ' +
    'other record answers as the native feedback record. `?format=native` or `?format=dropin` picks the shape explicitly.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(FormatQuery.shape))] as const,
  request: { params: IdParam, query: FormatQuery },
  responses: { 200: { description: 'The record', content: json(z.union([Feedback, DropInFeedback])) }, ...errors },
});

const put = createRoute({
  method: 'put',
  path: '/v1/feedback/{id}',
  summary: 'Drop-in update: change the rating (1|-1) and/or replace the metadata of your own feedback',
  description: 'Another field is 422 `unknown_field`; errors carry FastAPI\'s `detail` too.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { params: IdParam, body: { required: true, content: json(DropInFeedbackUpdate) } },
  responses: { 200: { description: 'Updated, in the drop-in shape', content: json(DropInFeedback) }, ...errors },
});

const patch = createRoute({
  method: 'patch',
  path: '/v1/feedback/{id}',
  summary: 'Change your own feedback (rating, comment, correction, tags)',
  description: 'updatedAt defaults to the server clock; one more than MAX_CLOCK_SKEW_SECONDS (default 300) ahead of the server is 422 `clock_ahead`.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { params: IdParam, body: { required: true, content: json(FeedbackPatch) } },
  responses: { 200: { description: 'Updated', content: json(Written) }, ...errors },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/feedback/{id}',
  summary: 'Delete feedback (yours; admins: any in the workspace). Leaves a tombstone that syncs.',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'Deleted (drop-in records answer {status: "success", feedback_id, deleted: true})',
      content: json(z.union([z.object({ id: z.string(), deleted: z.literal(true) }), DropInDeleted])),
    },
    ...errors,
  },
});

function pickSourceAndQueue(input: FeedbackInput): Pick<FeedbackInput, 'source' | 'queueId'> {
  return { ...(input.source ? { source: input.source } : {}), ...(input.queueId ? { queueId: input.queueId } : {}) };
}

/** The server's clock for one write, and how far ahead of it a client's time may be (lib/clock.ts). */
interface WriteClock {
  now: Date;
  skew: number;
}

/** A write over HTTP: a stored time ahead of the server's clock (a wrong clock's) loses to it (ADR 0026). */
function writer(auth: TokenInfo, clock: WriteClock, channel: Channel = 'api'): Actor {
  return { ...auth, tokenId: auth.id, clientId: null, channel, aheadAfter: aheadAfter(clock.now, clock.skew) };
}

/**
 * A write must move updatedAt forward, even when the client clock lags the stored one — unless the
 * stored time is itself from a clock far ahead, which is not followed (stampAfter).
 */
function nextUpdatedAt(stored: string, clock: WriteClock, requested?: string): string {
  return requested ?? stampAfter(stored, clock.now, clock.skew);
}

export const feedbackRoutes = createRouter()
  // First: its fixed paths (/v1/feedback/accuracy, /stats) must win over /v1/feedback/{id}.
  .route('/', feedbackReadoutRoutes)
  .openapi(
    create,
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      const store = c.get('store');
      const clock = { now: clockNow(), skew: c.get('maxClockSkewSeconds') };
      if (!('target' in body)) {
        const early = findClockAhead({ created_at: body.created_at }, clock.skew, clock.now);
        if (early) throw clockAheadError(early);
        const id = uuidv7(clock.now.getTime());
        const input = dropInToInput(body, id, clock.now, await programTextRedactor(store.db, auth.workspaceId));
        const [result] = await applyMutations(store.db, writer(auth, clock, 'dropin'), [
          { id, op: 'upsert', updatedAt: input.updatedAt, feedback: input },
        ], clock.now);
        const failure = failureOf(result!);
        if (failure) throw failure;
        return c.json({ status: 'success' as const, feedback_id: id }, 201);
      }
      const ahead = findClockAhead({ createdAt: body.createdAt, updatedAt: body.updatedAt }, clock.skew, clock.now);
      if (ahead) throw clockAheadError(ahead);
      // Programs' text is redacted server-side unless the workspace turned it off (issue 6).
      const input = await redactProgramFeedback(store.db, auth.workspaceId, body);
      const { results: [result], rows } = await applyMutationsWithRows(store.db, writer(auth, clock), [
        { id: input.id, op: 'upsert', updatedAt: input.updatedAt, feedback: input },
      ], clock.now);
      const failure = failureOf(result!);
      if (failure) throw failure;
      return c.json({ status: result!.status, feedback: rowToFeedback(storedRow(rows, input.id, auth)) }, result!.status === 'applied' ? 201 : 200);
    },
    dropInBodyHook(explainUnionFailure((body) => (isDropInBody(body) ? DropInFeedbackInput : FeedbackInput)), FeedbackInput),
  )
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    const auth = c.get('auth');
    if (q.cursor && q.offset !== undefined) {
      throw new ApiError(400, 'conflicting_parameters', 'offset and cursor cannot be combined: page with one or the other.', { params: ['offset', 'cursor'] });
    }
    if (q.cursor && !decodeCursor(q.cursor)) throw new ApiError(422, 'validation_failed', 'cursor: not a cursor this server gave out');
    const page = await listFeedback(c.get('store').db, readScope(auth), q);
    return c.json(page, 200);
  })
  .openapi(getOne, async (c) => {
    const row = await getFeedbackRow(c.get('store').db, readScope(c.get('auth')), c.req.valid('param').id);
    if (!row || row.deleted) throw notFound('feedback');
    const feedback = rowToFeedback(row);
    const { format } = c.req.valid('query');
    const dropIn = format ? format === 'dropin' : isDropInRecord(feedback);
    return c.json(dropIn ? toDropIn(feedback) : feedback, 200);
  })
  .openapi(put, async (c) => {
    const { id } = c.req.valid('param');
    const update = c.req.valid('json');
    const auth = c.get('auth');
    const store = c.get('store');
    const row = await getFeedbackRow(store.db, readScope(auth), id);
    if (!row || row.deleted || !row.record) throw notFound('feedback');
    if (row.rater_id !== auth.raterId) throw forbidden('Only the rater who wrote this feedback can change it.');
    const clock = { now: clockNow(), skew: c.get('maxClockSkewSeconds') };
    const updatedAt = nextUpdatedAt(row.updated_at, clock);
    const updated = applyDropInUpdate(rowToFeedback(row), update, updatedAt, await programTextRedactor(store.db, auth.workspaceId));
    const next = { ...updated, createdAt: createdNotAfter(updated.createdAt, updatedAt) };
    const { results: [result], rows } = await applyMutationsWithRows(store.db, writer(auth, clock, 'dropin'), [
      { id, op: 'upsert', updatedAt, feedback: next },
    ], clock.now);
    const failure = failureOf(result!);
    if (failure) throw failure;
    return c.json(toDropIn(rowToFeedback(storedRow(rows, id, auth))), 200);
  }, fastApiHook(DropInFeedbackUpdate))
  .openapi(patch, async (c) => {
    const { id } = c.req.valid('param');
    const auth = c.get('auth');
    const store = c.get('store');
    const clock = { now: clockNow(), skew: c.get('maxClockSkewSeconds') };
    const ahead = findClockAhead({ updatedAt: c.req.valid('json').updatedAt }, clock.skew, clock.now);
    if (ahead) throw clockAheadError(ahead);
    const body = await redactProgramPatch(store.db, auth.workspaceId, c.req.valid('json'));
    const row = await getFeedbackRow(store.db, readScope(auth), id);
    if (!row || row.deleted || !row.record) throw notFound('feedback');
    if (row.rater_id !== auth.raterId) throw forbidden('Only the rater who wrote this feedback can change it.');
    const current = rowToFeedback(row);
    const updatedAt = nextUpdatedAt(row.updated_at, clock, body.updatedAt);
    const next: FeedbackInput = {
      id,
      target: current.target,
      rating: body.rating ?? current.rating,
      // What the rating judges stays (a PATCH that dropped it would move the vote to `overall`).
      ...(current.criterion !== undefined ? { criterion: current.criterion } : {}),
      // So do who gave it (a judge stays that judge) and the queue it answers.
      ...pickSourceAndQueue(feedbackToInput(current)),
      createdAt: createdNotAfter(current.createdAt, updatedAt),
      updatedAt,
      ...(body.comment !== null && (body.comment ?? current.comment) !== undefined ? { comment: body.comment ?? current.comment } : {}),
      ...(body.correction !== null && (body.correction ?? current.correction) ? { correction: body.correction ?? current.correction } : {}),
      ...((body.tags ?? current.tags) ? { tags: body.tags ?? current.tags } : {}),
    };
    const { results: [result], rows } = await applyMutationsWithRows(store.db, writer(auth, clock), [
      { id, op: 'upsert', updatedAt, feedback: next },
    ], clock.now);
    const failure = failureOf(result!);
    if (failure) throw failure;
    return c.json({ status: result!.status, feedback: rowToFeedback(storedRow(rows, id, auth)) }, 200);
  }, rejectUnknownKeys(FeedbackPatch))
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const auth = c.get('auth');
    const store = c.get('store');
    const row = await getFeedbackRow(store.db, readScope(auth), id);
    if (!row || row.deleted) throw notFound('feedback');
    if (row.rater_id !== auth.raterId && auth.role !== 'admin') {
      throw forbidden('Only the rater who wrote this feedback, or an admin, can delete it.');
    }
    const clock = { now: clockNow(), skew: c.get('maxClockSkewSeconds') };
    const [result] = await applyMutations(store.db, writer(auth, clock), [
      { id, op: 'delete', updatedAt: nextUpdatedAt(row.updated_at, clock) },
    ], clock.now);
    const failure = failureOf(result!);
    if (failure) throw failure;
    if (row.record && isDropInRecord(rowToFeedback(row))) return c.json({ status: 'success' as const, feedback_id: id, deleted: true as const }, 200);
    return c.json({ id, deleted: true as const }, 200);
  });
