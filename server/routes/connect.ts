/**
 * `POST /v1/connect` (issue 15, item 3; docs/api/connect.md, ADR 0049): a browser's extension
 * trades a one-time connect code, made in the dashboard's rater area, for a rater token of the
 * person who made it — a new token with the same rater id (a second device), named after the
 * device. No bearer token: the code is the credential, so app.ts keeps this one path out of the
 * /v1 bearer guards and gives it only the per-address limit, the body limit and the JSON check.
 * Every request here counts against the per-address limit (none authenticates).
 *
 * Unknown code 404 `connect_code_not_found`, expired 410 `connect_code_expired`, used 409
 * `connect_code_used`; a use is audited (`connect_code.used`), as is the token it made.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { recordAudit } from '../audit/log.ts';
import { publicUrl } from '../env.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { redeemConnectCode } from '../store/connect-codes.ts';

export const CONNECT_PATH = '/v1/connect';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

export const ConnectInput = z
  .object({
    code: z.string().trim().min(1, 'type the code the dashboard shows').max(40, 'at most 40 characters').openapi({ example: 'K7QX-M4TZ' }),
    deviceName: z
      .string()
      .trim()
      .min(1, 'give the device a name, or leave it out')
      .max(100, 'at most 100 characters')
      .optional()
      .openapi({ description: 'Names the new token in the rater\'s list of browsers (default "Browser").', example: 'Chrome on the work laptop' }),
  })
  .strict()
  .openapi('ConnectInput');

const Connected = z
  .object({
    token: z.string().openapi({ description: 'A rater token (`gt_…`), shown only now; the extension keeps it as a pasted token.' }),
    tokenId: z.string(),
    name: z.string(),
    raterId: z.string().openapi({ description: 'The rater id of the person who made the code: every device of theirs rates as them.' }),
    workspaceId: z.string(),
    serverUrl: z.string().openapi({ description: 'The server\'s address (PUBLIC_URL).' }),
  })
  .openapi('Connected');

const connect = createRoute({
  method: 'post',
  path: CONNECT_PATH,
  summary: 'Trade a one-time connect code for a rater token of its maker (no token needed)',
  description:
    'A signed-in person makes the code in the dashboard (Connect a browser); it lasts 10 minutes and works once. ' +
    'Dashes, spaces and case in the code do not matter. Limited per client address (RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE).',
  tags: ['Connect'],
  security: [],
  middleware: [rejectUnknownQuery([])] as const,
  request: { body: { required: true, content: json(ConnectInput) } },
  responses: {
    201: { description: 'Connected: a new rater token for this browser', content: json(Connected) },
    400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
    404: { description: 'No such code (`connect_code_not_found`)', content: json(ErrorBody) },
    409: { description: 'The code was used already (`connect_code_used`)', content: json(ErrorBody) },
    410: { description: 'The code expired (`connect_code_expired`)', content: json(ErrorBody) },
    422: { description: 'Schema violation or unknown field', content: json(ErrorBody) },
    429: { description: 'Too many attempts from this address', content: json(ErrorBody) },
  },
});

export const connectRoutes = createRouter().openapi(
  connect,
  async (c) => {
    const { code, deviceName } = c.req.valid('json');
    const now = clockNow();
    const name = deviceName ?? 'Browser';
    const db = c.get('store').db;
    const result = await redeemConnectCode(db, code, name, now);
    if (!result.ok) {
      if (result.reason === 'used') throw new ApiError(409, 'connect_code_used', 'This connect code was used already: make a new one in the dashboard (Connect a browser).');
      if (result.reason === 'expired') throw new ApiError(410, 'connect_code_expired', `This connect code expired at ${result.code!.expires_at}: make a new one in the dashboard (Connect a browser).`);
      throw new ApiError(404, 'connect_code_not_found', 'No such connect code: check it against the dashboard (8 letters and digits, like K7QX-M4TZ).');
    }
    const { info, token } = result;
    const client = c.get('client');
    // The actor is the token just made: it is the one the person now acts through.
    const base = {
      workspaceId: info.workspaceId,
      actor: { type: 'token' as const, id: info.id, name: info.name, role: info.role },
      via: 'api' as const,
      address: client?.address ?? null,
      at: now,
    };
    await recordAudit(db, { ...base, action: 'connect_code.used', target: { type: 'connect_code', id: result.code.id }, details: { raterId: info.raterId, tokenId: info.id } });
    await recordAudit(db, { ...base, action: 'token.created', target: { type: 'token', id: info.id }, details: { role: info.role, raterId: info.raterId, via: 'connect_code' } });
    return c.json({ token, tokenId: info.id, name: info.name, raterId: info.raterId, workspaceId: info.workspaceId, serverUrl: publicUrl() }, 201);
  },
  rejectUnknownKeys(ConnectInput),
);
