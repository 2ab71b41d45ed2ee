import { createRoute } from '@hono/zod-openapi';
import { CLOCK_AHEAD, ErrorBody, Mutation, SyncRequest, SyncResponse, type MutationResult } from '../../shared/schemas.ts';
import { aheadAfter, clockAheadMessage, clockNow, findClockAhead } from '../lib/clock.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownKeys } from '../lib/unknown-keys.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { recordSiteVisits } from '../health/visits.ts';
import { getConfigVersion } from '../store/extension-config.ts';
import { applyMutations, checkMutation, notApplied } from '../store/feedback.ts';
import { ApiError } from '../lib/errors.ts';
import { publicKeyActor, screenForPublicKey } from './sync-public-key.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const sync = createRoute({
  method: 'post',
  path: '/v1/sync',
  summary: 'Push a batch of feedback mutations from a client outbox',
  description:
    'At most 500 mutations and 1 MiB. Each mutation gets its own result: applied (committed), unchanged (a replay), ' +
    'stale (an older updatedAt than the stored one), or rejected (with a reason; never retried). The answer is sent after the commit. ' +
    'A mutation whose updatedAt or feedback.createdAt is more than MAX_CLOCK_SKEW_SECONDS (default 300) ahead of the server is rejected ' +
    'with `reason: "clock_ahead"`: the one rejection a client does not drop — it corrects its clock from `serverTime` and sends it again. ' +
    'With `"atomic": true` the batch is all or nothing (as 003\'s transactions): if any mutation is rejected none is written, the ' +
    'culprit keeps its reason and every other one is `rejected` with `reason: "atomic_batch_not_applied"`; stale and unchanged are not failures. ' +
    'With a public ingest key (`gtpk_…`, docs/api/public-keys.md) from one of its origins: the rater is `user:<userId>` when `userId` is sent ' +
    '(only with a key: 422 `user_id_not_allowed` otherwise), else one anonymous rater per `clientId`; records are `source: {type: human, channel: embed, ' +
    'name: <key name>}`; deletes, pages outside the key\'s origins and criteria or kinds it does not name are `rejected` ' +
    '(`public_key_cannot_delete`, `origin_not_allowed`, `criterion_not_allowed`, `kind_not_allowed`, `source_not_allowed`, `queue_not_allowed`).',
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery([])] as const,
  request: { body: { required: true, content: json(SyncRequest) } },
  responses: {
    200: { description: 'Per-mutation results', content: json(SyncResponse) },
    400: { description: 'Malformed JSON, or an unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'A public key from an origin it does not list (`origin_not_allowed`)', content: json(ErrorBody) },
    413: { description: 'Body over 1 MiB', content: json(ErrorBody) },
    422: { description: 'Envelope invalid; `userId` without a public key', content: json(ErrorBody) },
    429: { description: 'Over the token\'s or the public key\'s rate limit (Retry-After)', content: json(ErrorBody) },
  },
});

/** A mutation's client times more than the allowed skew ahead: refused here, at the edge (DESIGN, "Clocks"). */
function mutationClockAhead(m: Record<string, unknown>, maxSkewSeconds: number, at: Date): MutationResult | undefined {
  const f = m.feedback && typeof m.feedback === 'object' ? (m.feedback as Record<string, unknown>) : {};
  const ahead = findClockAhead({ updatedAt: m.updatedAt, 'feedback.createdAt': f.createdAt, 'feedback.updatedAt': f.updatedAt }, maxSkewSeconds, at);
  // Only a mutation that is otherwise valid: a malformed one gets the schema's reason from the store.
  if (!ahead || !Mutation.safeParse(m).success) return undefined;
  return { id: m.id as string, status: 'rejected', reason: CLOCK_AHEAD, error: clockAheadMessage(ahead) };
}

/** A mutation the store would refuse for its shape, with the store's reason. */
function invalidOf(m: Record<string, unknown>): MutationResult | undefined {
  const checked = checkMutation(m);
  return 'error' in checked ? { id: typeof m.id === 'string' ? m.id.slice(0, 100) : '', status: 'rejected', reason: checked.reason, error: checked.error } : undefined;
}

export const syncRoutes = createRouter().openapi(sync, async (c) => {
  const { clientId, mutations, health, atomic, userId } = c.req.valid('json');
  const auth = c.get('auth');
  const key = c.get('publicKey');
  const db = c.get('store').db;
  if (userId !== undefined && !key) {
    throw new ApiError(422, 'user_id_not_allowed', 'userId is for public keys (an app naming its user); a token is its own rater.', [{ path: 'userId', message: 'only with a public key' }]);
  }
  if (key && health?.length) throw new ApiError(422, 'health_not_allowed', 'A public key sends ratings only, no health visits.', [{ path: 'health', message: 'only with a token' }]);
  const now = clockNow();
  const skew = c.get('maxClockSkewSeconds');
  // A public key's batch: what the key may not write is refused, the rest rewritten (sync-public-key.ts).
  const screened = key ? await screenForPublicKey(key, mutations) : mutations.map((mutation) => ({ mutation }));
  const batch = screened.map((s, i) => ('mutation' in s ? s.mutation : mutations[i]!));
  const refused = screened.map((s, i) => ('refused' in s ? s.refused : mutationClockAhead(batch[i]!, skew, now)));
  let results: MutationResult[];
  if (atomic && refused.some(Boolean)) {
    // All or nothing, and something is refused already: nothing is written (DESIGN, "Atomic batches").
    results = notApplied(batch.map((m, i) => refused[i] ?? invalidOf(m) ?? { id: String(m.id ?? ''), status: 'unchanged' }));
  } else {
    const rest = refused.some(Boolean) ? batch.filter((_, i) => !refused[i]) : batch;
    const actor = key ? publicKeyActor(key, clientId, userId) : { ...auth, tokenId: auth.id, clientId, channel: 'extension' as const };
    const applied = await applyMutations(db, { ...actor, aheadAfter: aheadAfter(now, skew) }, rest, now, { atomic });
    let next = 0;
    results = refused.map((r) => r ?? applied[next++]!);
  }
  const healthAccepted = health?.length ? await recordSiteVisits(db, { workspaceId: auth.workspaceId, tokenId: auth.id, clientId }, health) : undefined;
  const configVersion = await getConfigVersion(db, auth.workspaceId);
  return c.json({ results, serverTime: clockNow().toISOString(), configVersion, ...(healthAccepted !== undefined ? { healthAccepted } : {}) }, 200);
}, rejectUnknownKeys(SyncRequest));
