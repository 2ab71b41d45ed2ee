/**
 * Items that programs register for review (POST) and the review queue (GET ?unrated=1).
 * Any token of the workspace may register and read items: the review queue is rated by raters.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Item, ItemsPage, ItemsQuery, ItemsRequest, ItemsResponse } from '../../shared/items.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { refuseItemFilterConflicts } from '../lib/item-filter-conflicts.ts';
import { programTextRedactor } from '../lib/program-text.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { decodeCursor } from '../store/cursor.ts';
import { getItem, itemFilters, listItems, upsertItems } from '../store/items.ts';
import { blindTargets, itemFor, withoutVerdict } from '../queues/blind.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const register = createRoute({
  method: 'post',
  path: '/v1/items',
  summary: 'Register AI outputs for review (batch, idempotent by external key)',
  description:
    'Up to 500 items. Each gets its own result: created, updated (same key, other content: the latest wins), unchanged ' +
    '(a replay) or rejected (with the reason; the others still land). Text is redacted unless the workspace turned that off. ' +
    'An item keeps the `createdAt` it is sent (else its arrival time); one more than MAX_CLOCK_SKEW_SECONDS (default 300) ahead of ' +
    'the server is rejected with `reason: "clock_ahead"` (correct the clock from `serverTime`, send again). `output` and `prediction` ' +
    '(the analysis) are optional: an error posted without them is `awaiting_analysis` until a later post with the same key brings ' +
    'them (`updated`); a later post without an analysis keeps the stored one. ' +
    'To rate an item, send feedback with `target.key` = the returned item\'s `targetKey` ("item:" + key).',
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { body: { required: true, content: json(ItemsRequest) } },
  responses: {
    200: { description: 'Per-item results, after the commit', content: json(ItemsResponse) },
    400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    413: { description: 'Body over 1 MiB', content: json(ErrorBody) },
    422: { description: 'Envelope invalid', content: json(ErrorBody) },
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/items',
  summary: 'List items, newest first by createdAt; unrated=1 gives the review queue',
  description:
    'unrated=1 keeps the items that no live feedback in the workspace targets (by `target.key` = "item:" + key). ' +
    'The window is one of `date` (a UTC day), `days` (the last N days) or `since`/`until`; combining them is 400 `conflicting_parameters`. ' +
    'Blind review: for a rater, an item in a blind queue they have not submitted yet comes without its `prediction`, with ' +
    '`blinded: true`; a rater\'s `category` filter (the AI\'s predicted category) leaves such items out, so a page may hold fewer than `limit`.',
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(ItemsQuery.shape))] as const,
  request: { query: ItemsQuery },
  responses: {
    200: { description: 'A page of items', content: json(ItemsPage) },
    400: { description: 'Unknown query parameter, or conflicting ones (conflicting_parameters)', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    422: { description: 'Bad filter or cursor', content: json(ErrorBody) },
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/v1/items/{id}',
  summary: 'One item by its id (with its state: awaiting_analysis or ready)',
  description: 'Blind review: for a rater, an item in a blind queue they have not submitted yet comes without its `prediction`, with `blinded: true`.',
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: {
    200: { description: 'The item', content: json(Item) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    404: { description: 'No such item in this workspace', content: json(ErrorBody) },
  },
});

export const itemRoutes = createRouter()
  .openapi(register, async (c) => {
    const { items } = c.req.valid('json');
    const auth = c.get('auth');
    const db = c.get('store').db;
    const redactor = await programTextRedactor(db, auth.workspaceId);
    const clock = { now: clockNow(), maxSkewSeconds: c.get('maxClockSkewSeconds') };
    const results = await upsertItems(db, { workspaceId: auth.workspaceId, raterId: auth.raterId, tokenId: auth.id }, items, redactor, clock);
    return c.json({ results, serverTime: clockNow().toISOString() }, 200);
  }, rejectUnknownKeys(ItemsRequest))
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    refuseItemFilterConflicts(q);
    if (q.cursor && !decodeCursor(q.cursor)) throw new ApiError(422, 'validation_failed', 'cursor: not a cursor this server gave out');
    const auth = c.get('auth');
    const db = c.get('store').db;
    const page = await listItems(db, auth.workspaceId, itemFilters(q, clockNow()));
    const hidden = await blindTargets(db, auth, page.items.map((i) => i.targetKey));
    // Filtering by the predicted category would say what the AI predicted: blind items stay out of it.
    const items = page.items.flatMap((i) => (!hidden.has(i.targetKey) ? [i] : q.category !== undefined ? [] : [withoutVerdict(i)]));
    return c.json({ ...page, items }, 200);
  })
  .openapi(getOne, async (c) => {
    const db = c.get('store').db;
    const auth = c.get('auth');
    const item = await getItem(db, auth.workspaceId, c.req.valid('param').id);
    if (!item) throw notFound('item');
    return c.json(await itemFor(db, auth, item), 200);
  });
