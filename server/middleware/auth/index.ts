import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';
import { findActiveToken, tokenExpired, touchToken } from '../../store/tokens.ts';
import { findLivePublicKey, isPublicKey } from '../../store/public-keys.ts';
import { checkPublicKeyRequest, publicKeyAuth } from './public-key.ts';

const TOUCH_EVERY_MS = 60_000;

/**
 * Bearer-token authentication. Looks the token up by its SHA-256 (tokens are stored only as
 * hashes) and puts the token's workspace, rater and role on the context for every later query.
 * A public ingest key (`gtpk_…`) may only sync, from its own origins (public-key.ts); it puts
 * itself on the context as `publicKey`, with a rater-role `auth` of its workspace.
 */
export function bearerAuth(): MiddlewareHandler<AppEnv> {
  const touched = new Map<string, number>();
  return async function bearerAuth(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new ApiError(401, 'unauthorized', 'Send a token as "Authorization: Bearer <token>".');
    }
    const store = c.get('store');
    if (isPublicKey(match[1]!)) {
      const key = await findLivePublicKey(store.db, match[1]!);
      if (!key) throw new ApiError(401, 'unauthorized', 'The public key is unknown or has been revoked.');
      checkPublicKeyRequest(c, key);
      c.set('publicKey', key);
      c.set('auth', publicKeyAuth(key));
      return next();
    }
    const info = await findActiveToken(store.db, match[1]!);
    if (!info) throw new ApiError(401, 'unauthorized', 'The token is unknown or has been revoked.');
    if (tokenExpired(info)) {
      throw new ApiError(401, 'unauthorized', `The token expired at ${info.expiresAt}; ask an admin for a new one.`, { reason: 'expired', expiredAt: info.expiresAt });
    }
    c.set('auth', info);
    const now = Date.now();
    // Record use at most once a minute per token, off the hot path of every request.
    if ((touched.get(info.id) ?? 0) + TOUCH_EVERY_MS < now) {
      touched.set(info.id, now);
      await touchToken(store.db, info.id, new Date(now).toISOString());
    }
    await next();
  };
}
