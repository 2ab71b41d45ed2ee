import type { MiddlewareHandler } from 'hono';
import type { Role } from '../../../shared/schemas.ts';
import { forbidden } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';

const RANK: Record<Role, number> = { rater: 0, analyst: 1, admin: 2 };

export function hasRole(actual: Role, needed: Role): boolean {
  return RANK[actual] >= RANK[needed];
}

/** Lets the request through when the token's role is at least `needed`; 403 otherwise. */
export function requireRole(needed: Role): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    const { role } = c.get('auth');
    if (!hasRole(role, needed)) throw forbidden(`This needs the ${needed} role; your token is a ${role} token.`);
    await next();
  };
}
