/**
 * Items that programs register for review (POST) and the review queue (GET ?unrated=1).
 * Any token of the workspace may register and read items: the review queue is rated by raters.
 */
import { createRoute } from '@hono/zod-openapi';
import { ItemsPage, ItemsQuery, ItemsRequest, ItemsResponse } from '../../shared/items.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { ApiError } from '../lib/errors.ts';
import { programTextRedactor } from '../lib/program-text.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { decodeCursor } from '../store/cursor.ts';
import { listItems, upsertItems } from '../store/items.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const register = createRoute({
  method: 'post',
  path: '/v1/items',
  summary: 'Register AI outputs for review (batch, idempotent by external key)',
  description:
    'Up to 500 items. Each gets its own result: created, updated (same key, other content: the latest wins), unchanged ' +
    '(a replay) or rejected (with the reason; the others still land). Text is redacted unless the workspace turned that off. ' +
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
  summary: 'List items, newest first; unrated=1 gives the review queue',
  description: 'unrated=1 keeps the items that no live feedback in the workspace targets (by `target.key` = "item:" + key).',
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(ItemsQuery.shape))] as const,
  request: { query: ItemsQuery },
  responses: {
    200: { description: 'A page of items', content: json(ItemsPage) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    422: { description: 'Bad filter or cursor', content: json(ErrorBody) },
  },
});

export const itemRoutes = createRouter()
  .openapi(register, async (c) => {
    const { items } = c.req.valid('json');
    const auth = c.get('auth');
    const db = c.get('store').db;
    const redactor = await programTextRedactor(db, auth.workspaceId);
    const results = await upsertItems(db, { workspaceId: auth.workspaceId, raterId: auth.raterId, tokenId: auth.id }, items, redactor);
    return c.json({ results }, 200);
  }, rejectUnknownKeys(ItemsRequest))
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    if (q.cursor && !decodeCursor(q.cursor)) throw new ApiError(422, 'validation_failed', 'cursor: not a cursor this server gave out');
    const page = await listItems(c.get('store').db, c.get('auth').workspaceId, {
      ...q,
      unrated: q.unrated === '1' || q.unrated === 'true',
    });
    return c.json(page, 200);
  });
