/**
 * Knowledge per subject (a dataset, a DAG, a service), as JSON: GET /v1/subjects/{id}/knowledge,
 * GET /v1/subjects/{id}/activity (analysts and admins), POST /v1/subjects/{id}/notes (any token).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { ActivityPage, subjectActivity } from '../subjects/activity.ts';
import { SubjectKnowledge, subjectKnowledge } from '../subjects/knowledge.ts';
import { addNote, Note, NoteInput, SubjectId } from '../subjects/notes.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'An unknown query parameter (or, for a body, malformed JSON)', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Not an analyst or admin token', content: json(ErrorBody) },
  422: { description: 'Schema violation', content: json(ErrorBody) },
} as const;
const Params = z.object({ id: SubjectId.openapi({ param: { name: 'id', in: 'path' }, example: 'dag:nightly_orders' }) });
const ActivityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});
const analyst = requireRole('analyst');
/** Routes without a query: any parameter is unknown (400 unknown_parameter). */
const noQuery = rejectUnknownQuery([]);

const knowledge = createRoute({
  method: 'get',
  path: '/v1/subjects/{id}/knowledge',
  summary: 'What is known about a subject: counts, notes, top findings, corrected categories, raters, recent activity',
  security: [{ bearer: [] }],
  middleware: [analyst, noQuery] as const,
  request: { params: Params },
  responses: { 200: { description: 'The subject (empty counts if nothing is known)', content: json(SubjectKnowledge) }, ...errors },
});

const activity = createRoute({
  method: 'get',
  path: '/v1/subjects/{id}/activity',
  summary: "A subject's recent activity from the event log and notes, newest first",
  security: [{ bearer: [] }],
  middleware: [analyst, rejectUnknownQuery(Object.keys(ActivityQuery.shape))] as const,
  request: { params: Params, query: ActivityQuery },
  responses: { 200: { description: 'A page of entries', content: json(ActivityPage) }, ...errors },
});

const addNoteRoute = createRoute({
  method: 'post',
  path: '/v1/subjects/{id}/notes',
  summary: 'Add a note about a subject ("known quirks"); the author and date are recorded. Any token: raters add quirks too',
  security: [{ bearer: [] }],
  // Raters may add quirks (seed 001's "+ Add note"; ADR 0039): a note says who wrote it, reading them stays analyst+.
  middleware: [noQuery] as const,
  request: { params: Params, body: { required: true, content: json(NoteInput) } },
  responses: {
    201: { description: 'Stored', content: json(Note) },
    ...errors,
  },
});

export const subjectRoutes = createRouter()
  .openapi(knowledge, async (c) => {
    const auth = c.get('auth');
    return c.json(await subjectKnowledge(c.get('store').db, auth.workspaceId, c.req.valid('param').id), 200);
  })
  .openapi(activity, async (c) => {
    const auth = c.get('auth');
    const { limit, before } = c.req.valid('query');
    const page = await subjectActivity(c.get('store').db, auth.workspaceId, c.req.valid('param').id, {
      limit,
      before: before && new Date(before).toISOString(),
    });
    return c.json(page, 200);
  })
  .openapi(addNoteRoute, async (c) => {
    const auth = c.get('auth');
    const note = await addNote(c.get('store').db, auth, c.req.valid('param').id, c.req.valid('json'));
    return c.json(note, 201);
  }, rejectUnknownKeys(NoteInput));
