/**
 * Public ingest keys over HTTP (issue 17, item 2; docs/api/public-keys.md, ADR 0047): an admin
 * makes a key for a web app that embeds the rating widget (its secret shown once), lists the
 * workspace's keys (never their secrets) and revokes one. What a key may do is fixed in
 * middleware/auth/public-key.ts and routes/sync-public-key.ts. Creating and revoking are audited.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Criterion, ErrorBody, TargetKind } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { notFound } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import {
  DEFAULT_RATE_PER_MINUTE,
  MAX_ORIGINS,
  MAX_RATE_PER_MINUTE,
  createPublicKey,
  listPublicKeys,
  normaliseOrigin,
  revokePublicKey,
  type PublicKeyInfo,
} from '../store/public-keys.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const TAGS = ['Public keys'];
const errors = {
  400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Not an admin token', content: json(ErrorBody) },
  422: { description: 'Schema violation or unknown field', content: json(ErrorBody) },
} as const;
const admin = requireRole('admin');
const noQuery = rejectUnknownQuery([]);
const IdParam = z.object({ id: z.string().min(1).max(100) });

const Origin = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const origin = normaliseOrigin(value);
    if (!origin) {
      ctx.addIssue({ code: 'custom', message: 'must be an origin: http(s)://host[:port], with no path, query or wildcard' });
      return z.NEVER;
    }
    return origin;
  })
  .openapi({ example: 'https://app.example.com' });

export const PublicKeyInput = z
  .object({
    name: z.string().trim().min(1, 'give the key a name').max(100, 'at most 100 characters').openapi({ example: 'Support chat' }),
    origins: z.array(Origin).min(1, 'name at least one origin').max(MAX_ORIGINS, `at most ${MAX_ORIGINS} origins`).openapi({
      description: 'Where the key may be used from, and whose pages it may rate (`target.url`): exact `scheme://host[:port]`, normalised.',
    }),
    criteria: z.array(Criterion).min(1).max(50).optional().openapi({ description: 'The criteria it may write; absent: any.' }),
    kinds: z.array(TargetKind).min(1).optional().openapi({ description: 'The target kinds it may write; absent: any.' }),
    ratePerMinute: z
      .number()
      .int()
      .min(1)
      .max(MAX_RATE_PER_MINUTE)
      .optional()
      .openapi({ description: `Requests per minute, for every page holding the key together (default ${DEFAULT_RATE_PER_MINUTE}).` }),
    hashesOnly: z.boolean().optional().openapi({ description: 'Keep only the SHA-256 of the page\'s prompt and output, never their text (default false).' }),
  })
  .strict()
  .openapi('PublicKeyInput');
export type PublicKeyInput = z.infer<typeof PublicKeyInput>;

const PublicKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it.' }),
    origins: z.array(z.string()),
    criteria: z.array(z.string()).nullable().openapi({ description: 'null: any criterion.' }),
    kinds: z.array(z.string()).nullable().openapi({ description: 'null: any target kind.' }),
    ratePerMinute: z.number(),
    hashesOnly: z.boolean(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('PublicKey');
const CreatedPublicKey = PublicKey.extend({
  key: z.string().openapi({ description: 'Shown only now (`gtpk_…`); stored as its SHA-256. It goes in the page: `Authorization: Bearer <key>`.' }),
}).openapi('CreatedPublicKey');

const view = (k: PublicKeyInfo): z.infer<typeof PublicKey> => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  origins: k.origins,
  criteria: k.criteria,
  kinds: k.kinds,
  ratePerMinute: k.ratePerMinute,
  hashesOnly: k.hashesOnly,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
});

const create = createRoute({
  method: 'post',
  path: '/v1/public-keys',
  summary: 'Make a public ingest key for a web app that embeds the widget (admin); the key is shown once',
  description:
    'A browser sends it as `Authorization: Bearer gtpk_…` to `POST /v1/sync`, and nowhere else (403 `public_key_not_allowed`), ' +
    'from one of `origins` (403 `origin_not_allowed`), about pages of those origins, for the criteria and kinds named. ' +
    'Its records are `source: {type: "human", channel: "embed", name: <name>}`.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  request: { body: { required: true, content: json(PublicKeyInput) } },
  responses: { 201: { description: 'Made', content: json(CreatedPublicKey) }, ...errors },
});

const list = createRoute({
  method: 'get',
  path: '/v1/public-keys',
  summary: 'The workspace\'s public keys, revoked ones too (admin; never their secrets)',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  responses: { 200: { description: 'Keys, oldest first', content: json(z.object({ items: z.array(PublicKey) })) }, ...errors },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/public-keys/{id}',
  summary: 'Revoke a public key (admin): refused from the next request on',
  description: 'This server refuses it (401) at once; other servers of the same database within a second (their lookups are cached that long).',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [admin, noQuery] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'Revoked', content: json(PublicKey) },
    404: { description: 'No live public key with this id in this workspace', content: json(ErrorBody) },
    ...errors,
  },
});

export const publicKeyRoutes = createRouter()
  .openapi(
    create,
    async (c) => {
      const auth = c.get('auth');
      const body = c.req.valid('json');
      const { key, info } = await createPublicKey(c.get('store').db, { ...body, workspaceId: auth.workspaceId, createdBy: auth.id });
      await audit(c, 'public_key.created', { type: 'public_key', id: info.id }, { origins: info.origins, ratePerMinute: info.ratePerMinute, hashesOnly: info.hashesOnly });
      return c.json({ ...view(info), key }, 201);
    },
    rejectUnknownKeys(PublicKeyInput),
  )
  .openapi(list, async (c) => {
    return c.json({ items: (await listPublicKeys(c.get('store').db, c.get('auth').workspaceId)).map(view) }, 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const revoked = await revokePublicKey(c.get('store').db, id, c.get('auth').workspaceId);
    if (!revoked) throw notFound('live public key');
    await audit(c, 'public_key.revoked', { type: 'public_key', id });
    return c.json(view(revoked), 200);
  });
