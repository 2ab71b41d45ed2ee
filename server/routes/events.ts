/**
 * The investigation trace: POST appends (one event or a batch), GET reads back in arrival order.
 * Any token may append (programs often hold rater tokens); reading needs the analyst role, since a
 * trace can carry queries and evidence from anywhere in the workspace.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import { CLOCK_AHEAD, ErrorBody } from '../../shared/schemas.ts';
import {
  TraceEventInput,
  TraceEventsBatch,
  TraceEventsPage,
  TraceEventsQuery,
  TraceEventsRequest,
  TraceEventsResponse,
} from '../../shared/trace-events.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError, errorBody } from '../lib/errors.ts';
import { programTextRedactor } from '../lib/program-text.ts';
import { createRouter } from '../lib/router.ts';
import { explainUnionFailure } from '../lib/union-body.ts';
import { unknownKeysError } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { appendTraceEvents, decodeTraceCursor, listTraceEvents } from '../store/trace-events.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const isBatch = (body: unknown): boolean => !!body && typeof body === 'object' && 'events' in body;
const shapeOf = (body: unknown) => (isBatch(body) ? TraceEventsBatch : TraceEventInput);
const explain = explainUnionFailure(shapeOf);

/**
 * The body's hook: of the shape the sender meant (one event or a batch), an unknown field is 422
 * `unknown_field` naming it (DESIGN, "Errors"); any other failure is explained field by field.
 */
function checkBody<E extends Env, P extends string>(result: { success: boolean; error?: unknown }, c: Context<E, P>) {
  if (result.success) return undefined;
  const body = (result as unknown as { data?: unknown }).data; // zod-validator passes the raw value on failure too
  const schema = shapeOf(body);
  const retry = schema.safeParse(body);
  const unknown = retry.success ? undefined : unknownKeysError(schema, retry.error);
  if (unknown) return c.json(errorBody(unknown.code, unknown.message, unknown.details), 422) as never;
  return explain(result, c);
}

const append = createRoute({
  method: 'post',
  path: '/v1/events',
  summary: 'Append investigation trace events (one, or a batch of up to 500)',
  description:
    'A single event, or `{ events: [...] }`. Events are appended in the order sent; each gets a result: appended, ' +
    'unchanged (its client-chosen id was already appended) or rejected (with the reason; the others are still appended). ' +
    'String values in `data` are redacted unless the workspace turned that off. Types are seed 001\'s (an unknown type is refused, ' +
    'naming the accepted ones); `actorId` and `actorType` (user | system) say who caused the event. A `feedback.*` event ' +
    '(`data`: `target_id`, `rating` 1 | -1 and/or `helpful`, `score` 1–5, `comment`, `context`) also stores or updates the ' +
    'feedback record it describes (kind from the type, key `trace:` + target_id, rater: the actor), in the same transaction; ' +
    'its result says so in `feedback`. See docs/api/traces.md.',
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { body: { required: true, content: json(TraceEventsRequest) } },
  responses: {
    200: { description: 'Per-event results, after the commit', content: json(TraceEventsResponse) },
    400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    413: { description: 'Body over 1 MiB', content: json(ErrorBody) },
    422: { description: 'A single event, or the batch envelope, is invalid (a lone feedback event ahead of the clock: clock_ahead)', content: json(ErrorBody) },
  },
});

const read = createRoute({
  method: 'get',
  path: '/v1/events',
  summary: 'Read the trace back in arrival order, filtered by subject, investigation and type',
  tags: ['Items and traces'],
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(TraceEventsQuery.shape))] as const,
  request: { query: TraceEventsQuery },
  responses: {
    200: { description: 'A page of events, oldest first', content: json(TraceEventsPage) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Needs the analyst role', content: json(ErrorBody) },
    422: { description: 'Bad filter or cursor', content: json(ErrorBody) },
  },
});

export const eventRoutes = createRouter()
  .openapi(
    append,
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      const db = c.get('store').db;
      const raws = 'events' in body ? body.events : [body];
      const redactor = await programTextRedactor(db, auth.workspaceId);
      const results = await appendTraceEvents(db, { workspaceId: auth.workspaceId, raterId: auth.raterId, tokenId: auth.id }, raws, redactor, {
        now: clockNow(),
        maxClockSkewSeconds: c.get('maxClockSkewSeconds'),
      });
      // A lone event was validated as a whole above; what can still refuse it (a feedback event
      // ahead of the clock, or whose record the store refuses) is a 422 as for any lone write.
      const [only] = results;
      if (!('events' in body) && only?.status === 'rejected') {
        const code = only.error?.startsWith(`${CLOCK_AHEAD}:`) ? CLOCK_AHEAD : 'validation_failed';
        throw new ApiError(422, code, only.error ?? 'rejected');
      }
      return c.json({ results }, 200);
    },
    checkBody,
  )
  .openapi(read, async (c) => {
    const q = c.req.valid('query');
    const after = q.cursor ? decodeTraceCursor(q.cursor) : undefined;
    if (q.cursor && !after) throw new ApiError(422, 'validation_failed', 'cursor: not a cursor this server gave out');
    const page = await listTraceEvents(c.get('store').db, c.get('auth').workspaceId, {
      subject: q.subject,
      investigation: q.investigation,
      types: q.type?.split(',').map((t) => t.trim()),
      limit: q.limit,
      after,
    });
    return c.json(page, 200);
  });
