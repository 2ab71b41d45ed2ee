/**
 * What a public ingest key may do (issue 17; ADR 0047): a key sits in a web page, so anyone can
 * read it. It may send feedback through the sync route and nothing else — no reads, no deletes
 * (the sync route refuses those per mutation), no other route — and only from its own origins.
 * Checked here, centrally, so a new route is closed to keys until it is added to this list.
 */
import type { Context } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';
import { normaliseOrigin, type PublicKeyInfo } from '../../store/public-keys.ts';
import type { TokenInfo } from '../../store/tokens.ts';

/** The only requests a public key may make: `METHOD path`. */
export const PUBLIC_KEY_ROUTES: ReadonlySet<string> = new Set(['POST /v1/sync']);

/** Refuses what a public key may not do: another route (403 public_key_not_allowed), another origin (403 origin_not_allowed). */
export function checkPublicKeyRequest(c: Context<AppEnv>, key: PublicKeyInfo): void {
  if (!PUBLIC_KEY_ROUTES.has(`${c.req.method} ${c.req.path}`)) {
    throw new ApiError(403, 'public_key_not_allowed', 'A public key can only send ratings (POST /v1/sync); use a token for anything else.');
  }
  const sent = c.req.header('Origin');
  const origin = sent ? normaliseOrigin(sent) : undefined;
  if (!origin || !key.origins.includes(origin)) {
    throw new ApiError(
      403,
      'origin_not_allowed',
      sent ? `This public key is not allowed from ${sent.slice(0, 200)}.` : 'A public key is only accepted from a browser page: the request has no Origin.',
    );
  }
}

/**
 * The context's `auth` for a key's request: the least role, the key's workspace, and no rater
 * (the sync route names one per request: the app's user id or an anonymous rater per browser).
 */
export function publicKeyAuth(key: PublicKeyInfo): TokenInfo {
  return {
    id: key.id,
    workspaceId: key.workspaceId,
    raterId: `key:${key.id}`,
    name: key.name,
    role: 'rater',
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: null,
    revokedAt: null,
    expiresAt: null,
  };
}
