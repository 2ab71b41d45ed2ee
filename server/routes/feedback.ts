import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody, Feedback, FeedbackInput, FeedbackPatch, MutationResult, Thumb, TargetKind } from '../../shared/schemas.ts';
import { LIMITS } from '../../shared/limits.ts';
import { ApiError, forbidden, notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import type { TokenInfo } from '../store/tokens.ts';
import { applyMutations, decodeCursor, getFeedbackRow, listFeedback, rowToFeedback, type Scope } from '../store/feedback.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Malformed JSON', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Wrong role', content: json(ErrorBody) },
  404: { description: 'Unknown id', content: json(ErrorBody) },
  409: { description: 'A newer version is stored', content: json(ErrorBody) },
  422: { description: 'Schema violation', content: json(ErrorBody) },
} as const;

/** Raters read their own records; analysts and admins their whole workspace. */
function readScope(auth: TokenInfo): Scope {
  return auth.role === 'rater' ? { workspaceId: auth.workspaceId, raterId: auth.raterId } : { workspaceId: auth.workspaceId };
}

const Written = z.object({ status: MutationResult.shape.status, feedback: Feedback });

/** Turns a single-mutation result into an HTTP outcome. */
function failureOf(result: MutationResult): ApiError | undefined {
  if (result.status === 'stale') return new ApiError(409, 'stale', result.error ?? 'A newer version of this feedback is already stored.');
  if (result.status === 'rejected') {
    const owned = /another (rater|record)/.test(result.error ?? '');
    return new ApiError(owned ? 403 : 422, owned ? 'forbidden' : 'validation_failed', result.error ?? 'rejected');
  }
  return undefined;
}

const create = createRoute({
  method: 'post',
  path: '/v1/feedback',
  summary: 'Submit one feedback record (idempotent by id)',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: json(FeedbackInput) } },
  responses: {
    201: { description: 'Stored', content: json(Written) },
    200: { description: 'Already stored as sent (replay)', content: json(Written) },
    ...errors,
  },
});

const ListQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  model: z.string().optional(),
  site: z.string().optional(),
  kind: TargetKind.optional(),
  rater: z.string().optional(),
  thumb: Thumb.optional(),
  minStars: z.coerce.number().int().min(1).max(5).optional(),
  maxStars: z.coerce.number().int().min(1).max(5).optional(),
  includeDeleted: z.enum(['true', 'false', '1', '0']).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.listMaxLimit).default(LIMITS.listDefaultLimit),
  cursor: z.string().max(500).optional(),
});

const list = createRoute({
  method: 'get',
  path: '/v1/feedback',
  summary: 'List feedback, newest first, with filters and cursor pagination',
  security: [{ bearer: [] }],
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

const getOne = createRoute({
  method: 'get',
  path: '/v1/feedback/{id}',
  summary: 'Read one feedback record',
  security: [{ bearer: [] }],
  request: { params: IdParam },
  responses: { 200: { description: 'The record', content: json(Feedback) }, ...errors },
});

const patch = createRoute({
  method: 'patch',
  path: '/v1/feedback/{id}',
  summary: 'Change your own feedback (rating, comment, correction, tags)',
  security: [{ bearer: [] }],
  request: { params: IdParam, body: { required: true, content: json(FeedbackPatch) } },
  responses: { 200: { description: 'Updated', content: json(Written) }, ...errors },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/feedback/{id}',
  summary: 'Delete feedback (yours; admins: any in the workspace). Leaves a tombstone that syncs.',
  security: [{ bearer: [] }],
  request: { params: IdParam },
  responses: {
    200: { description: 'Deleted', content: json(z.object({ id: z.string(), deleted: z.literal(true) })) },
    ...errors,
  },
});

/** A write must move updatedAt forward, even when the client clock lags the stored one. */
function nextUpdatedAt(stored: string, requested?: string): string {
  if (requested) return requested;
  const now = Date.now();
  const min = Date.parse(stored) + 1;
  return new Date(Math.max(now, min)).toISOString();
}

export const feedbackRoutes = createRouter()
  .openapi(create, async (c) => {
    const input = c.req.valid('json');
    const auth = c.get('auth');
    const store = c.get('store');
    const [result] = await applyMutations(store.db, { ...auth, tokenId: auth.id, clientId: null }, [
      { id: input.id, op: 'upsert', updatedAt: input.updatedAt, feedback: input },
    ]);
    const failure = failureOf(result!);
    if (failure) throw failure;
    const row = await getFeedbackRow(store.db, { workspaceId: auth.workspaceId, raterId: auth.raterId }, input.id);
    if (!row) throw notFound('feedback');
    return c.json({ status: result!.status, feedback: rowToFeedback(row) }, result!.status === 'applied' ? 201 : 200);
  })
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    const auth = c.get('auth');
    if (q.cursor && !decodeCursor(q.cursor)) throw new ApiError(422, 'validation_failed', 'cursor: not a cursor this server gave out');
    const page = await listFeedback(c.get('store').db, readScope(auth), {
      ...q,
      includeDeleted: q.includeDeleted === 'true' || q.includeDeleted === '1',
      since: q.since && new Date(q.since).toISOString(),
      until: q.until && new Date(q.until).toISOString(),
    });
    return c.json(page, 200);
  })
  .openapi(getOne, async (c) => {
    const row = await getFeedbackRow(c.get('store').db, readScope(c.get('auth')), c.req.valid('param').id);
    if (!row || row.deleted) throw notFound('feedback');
    return c.json(rowToFeedback(row), 200);
  })
  .openapi(patch, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const auth = c.get('auth');
    const store = c.get('store');
    const row = await getFeedbackRow(store.db, readScope(auth), id);
    if (!row || row.deleted || !row.record) throw notFound('feedback');
    if (row.rater_id !== auth.raterId) throw forbidden('Only the rater who wrote this feedback can change it.');
    const current = rowToFeedback(row);
    const updatedAt = nextUpdatedAt(row.updated_at, body.updatedAt);
    const next: FeedbackInput = {
      id,
      target: current.target,
      rating: body.rating ?? current.rating,
      createdAt: current.createdAt,
      updatedAt,
      ...(body.comment !== null && (body.comment ?? current.comment) !== undefined ? { comment: body.comment ?? current.comment } : {}),
      ...(body.correction !== null && (body.correction ?? current.correction) ? { correction: body.correction ?? current.correction } : {}),
      ...((body.tags ?? current.tags) ? { tags: body.tags ?? current.tags } : {}),
    };
    const [result] = await applyMutations(store.db, { ...auth, tokenId: auth.id, clientId: null }, [
      { id, op: 'upsert', updatedAt, feedback: next },
    ]);
    const failure = failureOf(result!);
    if (failure) throw failure;
    const after = await getFeedbackRow(store.db, readScope(auth), id);
    return c.json({ status: result!.status, feedback: rowToFeedback(after!) }, 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const auth = c.get('auth');
    const store = c.get('store');
    const row = await getFeedbackRow(store.db, readScope(auth), id);
    if (!row || row.deleted) throw notFound('feedback');
    if (row.rater_id !== auth.raterId && auth.role !== 'admin') {
      throw forbidden('Only the rater who wrote this feedback, or an admin, can delete it.');
    }
    const [result] = await applyMutations(store.db, { ...auth, tokenId: auth.id, clientId: null }, [
      { id, op: 'delete', updatedAt: nextUpdatedAt(row.updated_at) },
    ]);
    const failure = failureOf(result!);
    if (failure) throw failure;
    return c.json({ id, deleted: true as const }, 200);
  });
