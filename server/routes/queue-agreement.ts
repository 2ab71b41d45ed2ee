/**
 * Agreement and adjudication of a review queue (issue 16, item 3; docs/api/queues.md "Agreement and
 * adjudication"): the figures per criterion and the disputed items, and an analyst's final rating of
 * an item with a reason. Analyst or admin tokens; a queue of another workspace is 404.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { AdjudicationInput, AdjudicationResult, AdjudicationsPage, AgreementQuery, QueueAgreement } from '../../shared/queue-agreement.ts';
import { audit } from '../audit/http.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { findQueue, queueAgreement } from '../queues/agreement.ts';
import { AdjudicationError, adjudicate, listAdjudications } from '../queues/adjudications.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const TAGS = ['Queues'];
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  404: { description: 'No such queue in this workspace', content: json(ErrorBody) },
  422: { description: 'Schema violation or unknown field', content: json(ErrorBody) },
} as const;
const analyst = requireRole('analyst');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const getAgreement = createRoute({
  method: 'get',
  path: '/v1/queues/{id}/agreement',
  summary: "Agreement per criterion of a queue: Krippendorff's α, Cohen's κ per pair of reviewers, percent agreement, disputed items (analyst+)",
  description:
    'Computed exactly from the queue’s live human reviews. Each figure has the items behind it and a `note` under ' +
    '`thresholds.minItems` items; an item counts towards α and percent agreement with at least `thresholds.minReviewsPerItem` reviews. ' +
    '`rating` says which part of the rating the figures use (the one most reviews carry; stars ordinal, thumbs and labels nominal). ' +
    'Disputed items come worst first: share of disagreeing pairs of reviews, then more reviews, then queue order; each with its reviews and adjudication.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, rejectUnknownQuery(Object.keys(AgreementQuery.shape))] as const,
  request: { params: IdParam, query: AgreementQuery },
  responses: { 200: { description: 'The figures', content: json(QueueAgreement) }, ...errors },
});

const postAdjudication = createRoute({
  method: 'post',
  path: '/v1/queues/{id}/adjudications',
  summary: 'Adjudicate an item of the queue on one criterion: a final rating with a reason (analyst+)',
  description:
    'One adjudication per queue, target and criterion: a second replaces the first (200, `replaced` holds the one it replaced; ' +
    'a first is 201 with `replaced: null`). `targetKey` must be an item of the queue (422 `unknown_item`) and `criterion` one of its ' +
    'criteria (422 `unknown_criterion`); `reason` must not be empty. Exports take adjudications as gold with `gold=adjudicated&queue=<id>`.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, rejectUnknownQuery([])] as const,
  request: { params: IdParam, body: { required: true, content: json(AdjudicationInput) } },
  responses: {
    201: { description: 'Adjudicated', content: json(AdjudicationResult) },
    200: { description: 'Adjudicated again: replaces the earlier adjudication', content: json(AdjudicationResult) },
    ...errors,
  },
});

const getAdjudications = createRoute({
  method: 'get',
  path: '/v1/queues/{id}/adjudications',
  summary: 'The adjudications of a queue, in queue order (analyst+)',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [analyst, rejectUnknownQuery([])] as const,
  request: { params: IdParam },
  responses: { 200: { description: 'The adjudications', content: json(AdjudicationsPage) }, ...errors },
});

export const queueAgreementRoutes = createRouter()
  .openapi(getAgreement, async (c) => {
    const db = c.get('store').db;
    const queue = await findQueue(db, c.get('auth').workspaceId, c.req.valid('param').id);
    if (!queue) throw notFound('queue');
    const { criterion, disputedLimit } = c.req.valid('query');
    if (criterion && !queue.criteria.includes(criterion)) {
      throw new ApiError(422, 'unknown_criterion', `"${criterion}" is not a criterion of this queue (${queue.criteria.join(', ')})`, { field: 'criterion', accepted: queue.criteria });
    }
    return c.json(await queueAgreement(db, queue, { criterion, disputedLimit }), 200);
  })
  .openapi(
    postAdjudication,
    async (c) => {
      const auth = c.get('auth');
      const db = c.get('store').db;
      const queue = await findQueue(db, auth.workspaceId, c.req.valid('param').id);
      if (!queue) throw notFound('queue');
      const input = c.req.valid('json');
      try {
        const result = await adjudicate(db, queue, input, auth.raterId, clockNow());
        await audit(c, 'queue.adjudicated', { type: 'queue', id: queue.id }, {
          targetKey: input.targetKey,
          criterion: input.criterion,
          rating: input.rating,
          replaced: result.replaced !== null,
        });
        return c.json(result, result.replaced ? 200 : 201);
      } catch (err) {
        if (err instanceof AdjudicationError) throw new ApiError(422, err.code, err.message, { field: err.field });
        throw err;
      }
    },
    rejectUnknownKeys(AdjudicationInput),
  )
  .openapi(getAdjudications, async (c) => {
    const db = c.get('store').db;
    const queue = await findQueue(db, c.get('auth').workspaceId, c.req.valid('param').id);
    if (!queue) throw notFound('queue');
    return c.json({ items: await listAdjudications(db, queue) }, 200);
  });
