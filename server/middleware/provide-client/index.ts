/**
 * Where a request comes from, for per-address limits and the audit log: the client's address
 * (lib/client-address.ts: the socket's peer, or with TRUST_PROXY=N the address the outermost of N
 * proxies saw) and the door it came through, `api` (the dashboard says `via: dashboard` itself).
 */
import type { MiddlewareHandler } from 'hono';
import { clientAddress } from '../../lib/client-address.ts';
import type { AppEnv } from '../../lib/types.ts';

export const provideClient = (trustProxy = 0): MiddlewareHandler<AppEnv> =>
  async function provideClient(c, next) {
    c.set('client', { address: clientAddress(c, trustProxy) ?? null, via: 'api' });
    await next();
  };
