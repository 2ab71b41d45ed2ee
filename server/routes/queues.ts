/**
 * Review queues over HTTP (issue 16, item 1; docs/api/queues.md): an analyst makes a queue from a
 * filter or from registered items; reviewers list the queues they may review, see the progress, and
 * claim the next item under a lease. Reviews are POSTed as ordinary feedback with `queueId`.
 * Every query in the token's workspace; a rater sees only the queues they may review in (others 404).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { ErrorBody } from '../../shared/schemas.ts';
import { Queue, QueueClaim, QueueInput, QueuesPage, QueuesQuery } from '../../shared/queues.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { itemFor } from '../queues/blind.ts';
import { claimNext, createQueue, getQueue, listQueues, QueueCursorError, QueueInputError, QueueNotAssigneeError, type QueueViewer } from '../store/queues.ts';
import type { DB } from '../store/schema.ts';
import type { TokenInfo } from '../store/tokens.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const TAGS = ['Queues'];
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Wrong role', content: json(ErrorBody) },
  422: { description: 'Schema violation or unknown field', content: json(ErrorBody) },
} as const;
const noQuery = rejectUnknownQuery([]);
const IdParam = z.object({ id: z.string().min(1).max(100) });
// Unnamed in the OpenAPI document: shared/queues.ts can be loaded (through the store) before @hono/zod-openapi adds `.openapi()` to zod.
const QueueSchema = Queue;
const ClaimSchema = QueueClaim;

const viewerOf = (auth: TokenInfo): QueueViewer => ({ workspaceId: auth.workspaceId, raterId: auth.raterId, role: auth.role });

const create = createRoute({
  method: 'post',
  path: '/v1/queues',
  summary: 'Make a review queue from a feedback filter or from registered items (analyst+)',
  description:
    'Exactly one of `filter` (the shared feedback filters, e.g. `{model: "gpt-5", site: "chatgpt", thumb: "down", days: 7}`: ' +
    'the distinct targets of the live feedback matching it) and `itemKeys` (registered items by external key). The items are ' +
    'fixed now. Unknown item keys are 422 `unknown_items`, unknown assignees 422 `unknown_raters` (both naming them), nothing ' +
    'to review 422 `empty_queue`, more than 20,000 items 422 `queue_too_large`.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), noQuery] as const,
  request: { body: { required: true, content: json(QueueInput) } },
  responses: { 201: { description: 'Made', content: json(QueueSchema) }, ...errors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/queues',
  summary: 'Queues, newest first: every queue of the workspace for analysts, those a rater may review for raters',
  description: 'Each with its progress and `toReview`, the items the caller could still be given or holds. Pages by `nextCursor`.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(QueuesQuery.shape))] as const,
  request: { query: QueuesQuery },
  responses: { 200: { description: 'A page of queues', content: json(QueuesPage) }, ...errors },
});

const getOne = createRoute({
  method: 'get',
  path: '/v1/queues/{id}',
  summary: 'One queue with its progress overall and per assignee (a rater: only their own line)',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [noQuery] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'The queue', content: json(QueueSchema) },
    404: { description: 'No such queue in this workspace, or not one the rater may review', content: json(ErrorBody) },
    ...errors,
  },
});

const claimResponses = {
  200: { description: 'The item claimed (or the one the caller already holds) and when the lease ends', content: json(ClaimSchema) },
  204: { description: 'Nothing is left for this reviewer' },
  404: { description: 'No such queue in this workspace, or not one the rater may review', content: json(ErrorBody) },
  ...errors,
} as const;
const claimDescription =
  'A lease of `leaseSeconds` (default 600) from the server clock on the next item that still needs reviewers and that ' +
  'this reviewer never submitted; an unexpired claim of theirs is given again. An expired claim returns the item to the pool. ' +
  'In a blind queue a rater gets the item without its `prediction` (`blinded: true`). Answer with feedback carrying `queueId`.';

const claim = createRoute({
  method: 'post',
  path: '/v1/queues/{id}/claims',
  summary: 'Claim the next item to review (200 {item, leaseExpiresAt}, or 204 when nothing is left)',
  description: claimDescription,
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [noQuery] as const,
  request: { params: IdParam },
  responses: claimResponses,
});

const next = createRoute({
  method: 'get',
  path: '/v1/queues/{id}/next',
  summary: 'The same claim as POST /v1/queues/{id}/claims: it takes a lease (not a read-only peek)',
  description: claimDescription,
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [noQuery] as const,
  request: { params: IdParam },
  responses: claimResponses,
});

/** The claim both routes answer: the claim as the caller may see it (blind: no prediction), or null when nothing is left. */
async function claimFor(db: Kysely<DB>, auth: TokenInfo, id: string): Promise<QueueClaim | null> {
  const viewer = viewerOf(auth);
  try {
    const outcome = await claimNext(db, viewer, id, clockNow());
    if (!outcome) throw notFound('queue');
    if ('none' in outcome) return null;
    return { ...outcome.claim, item: await itemFor(db, viewer, outcome.claim.item) };
  } catch (err) {
    if (err instanceof QueueNotAssigneeError) throw new ApiError(403, 'not_an_assignee', err.message);
    throw err;
  }
}

export const queueRoutes = createRouter()
  .openapi(
    create,
    async (c) => {
      const auth = c.get('auth');
      try {
        const queue = await createQueue(c.get('store').db, { workspaceId: auth.workspaceId, createdBy: auth.raterId, input: c.req.valid('json') }, clockNow(), viewerOf(auth));
        return c.json(queue, 201);
      } catch (err) {
        if (err instanceof QueueInputError) throw new ApiError(422, err.code, err.message, err.details);
        throw err;
      }
    },
    rejectUnknownKeys(QueueInput),
  )
  .openapi(list, async (c) => {
    try {
      return c.json(await listQueues(c.get('store').db, viewerOf(c.get('auth')), c.req.valid('query'), clockNow()), 200);
    } catch (err) {
      if (err instanceof QueueCursorError) throw new ApiError(422, 'validation_failed', err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  })
  .openapi(getOne, async (c) => {
    const queue = await getQueue(c.get('store').db, viewerOf(c.get('auth')), c.req.valid('param').id, clockNow());
    if (!queue) throw notFound('queue');
    return c.json(queue, 200);
  })
  .openapi(claim, async (c) => {
    const claimed = await claimFor(c.get('store').db, c.get('auth'), c.req.valid('param').id);
    return claimed ? c.json(claimed, 200) : c.body(null, 204);
  })
  .openapi(next, async (c) => {
    const claimed = await claimFor(c.get('store').db, c.get('auth'), c.req.valid('param').id);
    return claimed ? c.json(claimed, 200) : c.body(null, 204);
  });
