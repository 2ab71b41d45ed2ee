import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { urlOrigin } from '../audit/log.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { PUBLIC_ONLY, refusalMessage, urlRefusal, type WebhookAddressPolicy } from '../webhooks/address-policy.ts';
import { WEBHOOK_EVENTS, WebhookEvent, WebhookPayload } from '../webhooks/events.ts';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks } from '../webhooks/store.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Not an admin token', content: json(ErrorBody) },
  422: { description: 'Schema violation', content: json(ErrorBody) },
} as const;

const WebhookInput = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .max(2048)
      .openapi({ example: 'https://hooks.example.com/groundtruth' }),
    events: z
      .array(WebhookEvent)
      .min(1, `name at least one of ${WEBHOOK_EVENTS.join(', ')}`)
      .max(WEBHOOK_EVENTS.length),
    threshold: z
      .number()
      .int()
      .min(1)
      .max(4)
      .optional()
      .openapi({ description: 'feedback.low_stars fires at or below this many stars (default 2).' }),
  })
  .strict()
  .openapi('WebhookInput');

const Webhook = z
  .object({ id: z.string(), url: z.string(), events: z.array(WebhookEvent), threshold: z.number().nullable(), createdAt: z.string() })
  .openapi('Webhook');
const CreatedWebhook = Webhook.extend({
  secret: z.string().openapi({
    description:
      'Shown only now. Verify each delivery: X-Groundtruth-Signature is "t=<unix seconds>,v1=<hex HMAC-SHA256 of \\"<t>.<raw body>\\" keyed with this secret>".',
  }),
}).openapi('CreatedWebhook');

const Delivery = z
  .object({
    id: z.string(),
    event: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number(),
    createdAt: z.string(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    payload: WebhookPayload,
    log: z.array(z.object({ at: z.string(), statusCode: z.number().nullable(), error: z.string().nullable(), durationMs: z.number() })),
  })
  .openapi('WebhookDelivery');

const IdParam = z.object({ id: z.string().min(1).max(100) });
const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});
const admin = requireRole('admin');
/** Routes without a query: any parameter is unknown (400 unknown_parameter). */
const noQuery = rejectUnknownQuery([]);

const create = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  summary: 'Subscribe a URL to events (admin); the signing secret is shown once',
  description:
    'Events: feedback.negative (a vote becomes thumbs down), feedback.low_stars (a vote drops to `threshold` stars or fewer), ' +
    'export.completed. Deliveries are JSON POSTs, signed, retried with exponential backoff, sent off the request path. ' +
    'A URL whose host is a loopback, link-local, private or special address (or a localhost name) is 422 ' +
    '`webhook_address_not_allowed` unless the server runs with WEBHOOK_ALLOW_PRIVATE=1 or lists it in WEBHOOK_ALLOWED_HOSTS; ' +
    'a host name that resolves to such an address is refused when a delivery connects.',
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  request: { body: { required: true, content: json(WebhookInput) } },
  responses: { 201: { description: 'Created', content: json(CreatedWebhook) }, ...errors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  summary: 'List the workspace’s webhooks (admin; never their secrets)',
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  responses: { 200: { description: 'Webhooks', content: json(z.object({ items: z.array(Webhook) })) }, ...errors },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  summary: 'Delete a webhook, its pending deliveries and its log (admin)',
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'Deleted', content: json(z.object({ id: z.string(), deleted: z.literal(true) })) },
    404: { description: 'No such webhook in this workspace', content: json(ErrorBody) },
    ...errors,
  },
});

const deliveries = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/deliveries',
  summary: 'The delivery log of a webhook, newest first, with every attempt (admin)',
  security: [{ bearer: [] }],
  middleware: [admin, rejectUnknownQuery(Object.keys(DeliveriesQuery.shape))] as const,
  request: { params: IdParam, query: DeliveriesQuery },
  responses: {
    200: { description: 'Deliveries', content: json(z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() })) },
    404: { description: 'No such webhook in this workspace', content: json(ErrorBody) },
    ...errors,
  },
});

/** `addresses`: which receivers are allowed (env WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOWED_HOSTS). */
export const webhookRoutes = (addresses: WebhookAddressPolicy = PUBLIC_ONLY) =>
  createRouter()
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      // A literal address is judged now; a host name when a delivery connects (after DNS).
      const refused = urlRefusal(body.url, addresses);
      if (refused) throw new ApiError(422, 'webhook_address_not_allowed', refusalMessage(refused), { field: 'url' });
      const auth = c.get('auth');
      const created = await createWebhook(c.get('store').db, { ...body, workspaceId: auth.workspaceId, createdBy: auth.id });
      await audit(c, 'webhook.created', { type: 'webhook', id: created.id }, { origin: urlOrigin(created.url), events: created.events });
      return c.json(created, 201);
    }, rejectUnknownKeys(WebhookInput))
    .openapi(list, async (c) => {
      return c.json({ items: await listWebhooks(c.get('store').db, c.get('auth').workspaceId) }, 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await deleteWebhook(c.get('store').db, c.get('auth').workspaceId, id))) throw notFound('webhook');
      await audit(c, 'webhook.deleted', { type: 'webhook', id });
      return c.json({ id, deleted: true as const }, 200);
    })
    .openapi(deliveries, async (c) => {
      const { id } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const db = c.get('store').db;
      if (!(await getWebhook(db, c.get('auth').workspaceId, id))) throw notFound('webhook');
      const page = await listDeliveries(db, id, { limit, before: cursor });
      return c.json(page as never, 200);
    });
