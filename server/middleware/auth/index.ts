import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';
import { findActiveToken, tokenExpired, touchToken } from '../../store/tokens.ts';

const TOUCH_EVERY_MS = 60_000;

/**
 * Bearer-token authentication. Looks the token up by its SHA-256 (tokens are stored only as
 * hashes) and puts the token's workspace, rater and role on the context for every later query.
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
