/**
 * Presigned rating links over the API (issue 17, item 1; docs/api/feedback-links.md): an analyst
 * or admin makes a link for one target and criterion, lists and revokes the workspace's links, and
 * reads (analyst) or erases (admin) the ratings made through one link. The link itself is answered
 * by routes/rating-link.ts at `/r/<secret>`, without a token.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody, DEFAULT_CRITERION, type FeedbackInput, type Target } from '../../shared/schemas.ts';
import {
  CreatedFeedbackLink,
  FeedbackLink,
  FeedbackLinkInput,
  FeedbackLinksQuery,
  LINK_DEFAULT_EXPIRES_SECONDS,
  LINK_MAX_EXPIRES_SECONDS,
  LINK_MIN_EXPIRES_SECONDS,
} from '../../shared/feedback-links.ts';
import { audit } from '../audit/http.ts';
import { publicUrl } from '../env.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError, notFound } from '../lib/errors.ts';
import { redactProgramFeedback } from '../lib/program-feedback.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { eraseLinkRatings } from '../store/erase.ts';
import { createLink, getLink, linkFeedbackRows, listLinks, LinkCursorError, revokeLink, toFeedbackLink } from '../store/feedback-links.ts';
import { rowToFeedback } from '../store/feedback-read.ts';
import type { DB } from '../store/schema.ts';
import type { Kysely } from 'kysely';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const TAGS = ['Feedback links'];
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Wrong role', content: json(ErrorBody) },
  422: { description: 'Schema violation or unknown field', content: json(ErrorBody) },
} as const;
const noQuery = rejectUnknownQuery([]);
const IdParam = z.object({ id: z.string().min(1).max(100) });
const missing = { 404: { description: 'No such link in this workspace', content: json(ErrorBody) } } as const;

/** When a new link expires: expiresIn seconds or expiresAt, default 3 h, at most 30 days (422 otherwise). */
export function expiryOf(input: { expiresIn?: number; expiresAt?: string }, now: Date): Date {
  if (input.expiresIn !== undefined && input.expiresAt !== undefined) {
    throw new ApiError(422, 'conflicting_fields', 'Send expiresIn (seconds) or expiresAt (a time), not both.', { fields: ['expiresIn', 'expiresAt'] });
  }
  const max = now.getTime() + LINK_MAX_EXPIRES_SECONDS * 1000;
  const tooLong = () => new ApiError(422, 'expiry_too_long', `A link lives at most ${LINK_MAX_EXPIRES_SECONDS} s (30 days).`, { maxSeconds: LINK_MAX_EXPIRES_SECONDS });
  if (input.expiresAt !== undefined) {
    const at = Date.parse(input.expiresAt);
    if (at <= now.getTime() + LINK_MIN_EXPIRES_SECONDS * 1000) {
      throw new ApiError(422, 'expiry_too_soon', `expiresAt must be at least ${LINK_MIN_EXPIRES_SECONDS} s after the server's time (${now.toISOString()}).`);
    }
    if (at > max) throw tooLong();
    return new Date(at);
  }
  const seconds = input.expiresIn ?? LINK_DEFAULT_EXPIRES_SECONDS;
  if (seconds < LINK_MIN_EXPIRES_SECONDS) throw new ApiError(422, 'expiry_too_soon', `expiresIn must be at least ${LINK_MIN_EXPIRES_SECONDS} s.`);
  if (seconds > LINK_MAX_EXPIRES_SECONDS) throw tooLong();
  return new Date(now.getTime() + seconds * 1000);
}

/** The target as the link keeps it: redacted as any program's text (unless the workspace turned that off). */
async function redactedTarget(db: Kysely<DB>, workspaceId: string, target: Target, now: Date): Promise<Target> {
  const at = now.toISOString();
  const probe: FeedbackInput = { id: '00000000-0000-4000-8000-000000000000', target, rating: { thumb: 'up' }, createdAt: at, updatedAt: at };
  return (await redactProgramFeedback(db, workspaceId, probe)).target;
}

export const linkUrl = (secret: string) => `${publicUrl().replace(/\/+$/, '')}/r/${secret}`;

const create = createRoute({
  method: 'post',
  path: '/v1/feedback-links',
  summary: 'Make a presigned rating link for one target and criterion (analyst+); the URL is shown once',
  description:
    'Anyone holding the URL may rate without a token until it expires: `GET` shows a rating page (and never writes), `POST` ' +
    'takes `{rating, comment?, correction?}` as JSON or as the page\'s form. `expiresIn` (seconds) or `expiresAt` (not both): ' +
    'default 3 h, at most 30 days (422 `expiry_too_long`). `reusable: false` (default): the first rating uses the link up. ' +
    '`allowedRatings` limits what it takes, e.g. `{thumb: ["up","down"]}`, `{stars: {min: 1, max: 5}}`, `{labels: ["a","b"]}`. ' +
    '`userId`: the rating is attributed to rater `user:<id>`; without it, to one anonymous rater per browser.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), noQuery] as const,
  request: { body: { required: true, content: json(FeedbackLinkInput) } },
  responses: { 201: { description: 'Made: the link with its url (shown once)', content: json(CreatedFeedbackLink) }, ...errors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/feedback-links',
  summary: 'The workspace\'s rating links, newest first (analyst+); never their secrets',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(FeedbackLinksQuery.shape))] as const,
  request: { query: FeedbackLinksQuery },
  responses: {
    200: { description: 'A page of links', content: json(z.object({ items: z.array(FeedbackLink), nextCursor: z.string().nullable() })) },
    ...errors,
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/v1/feedback-links/{id}',
  summary: 'One rating link (analyst+)',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), noQuery] as const,
  request: { params: IdParam },
  responses: { 200: { description: 'The link', content: json(FeedbackLink) }, ...missing, ...errors },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/feedback-links/{id}',
  summary: 'Revoke a rating link (analyst+): it answers 410 from now on; its ratings stay',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), noQuery] as const,
  request: { params: IdParam },
  responses: { 200: { description: 'Revoked (again: unchanged)', content: json(FeedbackLink) }, ...missing, ...errors },
});

const ratings = createRoute({
  method: 'get',
  path: '/v1/feedback-links/{id}/feedback',
  summary: 'Every record made through one link, with tombstones (analyst+): a link\'s export',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), noQuery] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'The link and its records', content: json(z.object({ link: FeedbackLink, feedback: z.array(z.unknown()) })) },
    ...missing,
    ...errors,
  },
});

const erase = createRoute({
  method: 'delete',
  path: '/v1/feedback-links/{id}/feedback',
  summary: 'Erase every record made through one link, for good (admin); the link is revoked too',
  description: 'As DELETE /v1/raters/{raterId} does for a rater: the records, their events and deliveries are hard-deleted after the rollups moved as if each were deleted.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('admin'), noQuery] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'Erased; counts of what was removed', content: json(z.object({ linkId: z.string(), erased: z.object({ feedback: z.number(), events: z.number(), deliveries: z.number() }) })) },
    ...missing,
    ...errors,
  },
});

export const feedbackLinkRoutes = createRouter()
  .openapi(
    create,
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      const db = c.get('store').db;
      const now = clockNow();
      const expiresAt = expiryOf(body, now);
      const { link, secret } = await createLink(
        db,
        {
          workspaceId: auth.workspaceId,
          target: await redactedTarget(db, auth.workspaceId, body.target, now),
          criterion: body.criterion ?? DEFAULT_CRITERION,
          expiresAt,
          reusable: body.reusable ?? false,
          allowedRatings: body.allowedRatings ?? null,
          userId: body.userId ?? null,
          createdBy: auth.id,
        },
        now,
      );
      // Never the secret, nor the target's text: what was made, for whom, until when.
      await audit(c, 'feedback_link.created', { type: 'feedback_link', id: link.id }, {
        prefix: link.prefix, targetKey: link.target.key, criterion: link.criterion, reusable: link.reusable, expiresAt: link.expiresAt, userId: link.userId,
      });
      c.header('Cache-Control', 'no-store');
      return c.json({ ...link, url: linkUrl(secret) }, 201);
    },
    rejectUnknownKeys(FeedbackLinkInput),
  )
  .openapi(list, async (c) => {
    try {
      return c.json(await listLinks(c.get('store').db, c.get('auth').workspaceId, c.req.valid('query'), clockNow()), 200);
    } catch (err) {
      if (err instanceof LinkCursorError) throw new ApiError(422, 'validation_failed', err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  })
  .openapi(getOne, async (c) => {
    const row = await getLink(c.get('store').db, c.get('auth').workspaceId, c.req.valid('param').id);
    if (!row) throw notFound('link');
    return c.json(toFeedbackLink(row, clockNow()), 200);
  })
  .openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    const auth = c.get('auth');
    const db = c.get('store').db;
    const before = await getLink(db, auth.workspaceId, id);
    if (!before) throw notFound('link');
    const now = clockNow();
    const row = (await revokeLink(db, auth.workspaceId, id, now))!;
    if (!before.revoked_at) await audit(c, 'feedback_link.revoked', { type: 'feedback_link', id }, { prefix: row.prefix });
    return c.json(toFeedbackLink(row, now), 200);
  })
  .openapi(ratings, async (c) => {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const row = await getLink(db, auth.workspaceId, c.req.valid('param').id);
    if (!row) throw notFound('link');
    const feedback = (await linkFeedbackRows(db, row)).map((r) =>
      r.record ? rowToFeedback(r) : { id: r.id, deleted: true, updatedAt: r.updated_at, receivedAt: r.received_at, raterId: r.rater_id, workspaceId: r.workspace_id },
    );
    await audit(c, 'feedback_link.exported', { type: 'feedback_link', id: row.id }, { records: feedback.length });
    c.header('Cache-Control', 'no-store');
    return c.json({ link: toFeedbackLink(row, clockNow()), feedback }, 200);
  })
  .openapi(erase, async (c) => {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const { id } = c.req.valid('param');
    const row = await getLink(db, auth.workspaceId, id);
    if (!row) throw notFound('link');
    await revokeLink(db, auth.workspaceId, id, clockNow());
    const erased = await eraseLinkRatings(db, row);
    await audit(c, 'feedback_link.erased', { type: 'feedback_link', id }, { erased });
    return c.json({ linkId: id, erased }, 200);
  });
