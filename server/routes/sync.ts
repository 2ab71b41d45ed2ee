import { createRoute } from '@hono/zod-openapi';
import { ErrorBody, SyncRequest, SyncResponse } from '../../shared/schemas.ts';
import { createRouter } from '../lib/router.ts';
import { recordSiteVisits } from '../health/visits.ts';
import { getConfigVersion } from '../store/extension-config.ts';
import { applyMutations } from '../store/feedback.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const sync = createRoute({
  method: 'post',
  path: '/v1/sync',
  summary: 'Push a batch of feedback mutations from a client outbox',
  description:
    'At most 500 mutations and 1 MiB. Each mutation gets its own result: applied (committed), unchanged (a replay), ' +
    'stale (an older updatedAt than the stored one), or rejected (with a reason; never retried). The answer is sent after the commit.',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: json(SyncRequest) } },
  responses: {
    200: { description: 'Per-mutation results', content: json(SyncResponse) },
    400: { description: 'Malformed JSON', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    413: { description: 'Body over 1 MiB', content: json(ErrorBody) },
    422: { description: 'Envelope invalid', content: json(ErrorBody) },
  },
});

export const syncRoutes = createRouter().openapi(sync, async (c) => {
  const { clientId, mutations, health } = c.req.valid('json');
  const auth = c.get('auth');
  const db = c.get('store').db;
  const results = await applyMutations(db, { ...auth, tokenId: auth.id, clientId }, mutations);
  const healthAccepted = health?.length ? await recordSiteVisits(db, { workspaceId: auth.workspaceId, tokenId: auth.id, clientId }, health) : undefined;
  const configVersion = await getConfigVersion(db, auth.workspaceId);
  return c.json({ results, serverTime: new Date().toISOString(), configVersion, ...(healthAccepted !== undefined ? { healthAccepted } : {}) }, 200);
});
