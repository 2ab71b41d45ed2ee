/** Puts the opened store (store/open.ts, with its projections) on every request's context as `store`. */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../lib/types.ts';
import type { Store } from '../../store/open.ts';

export const provideStore = (store: Store): MiddlewareHandler<AppEnv> =>
  async function provideStore(c, next) {
    c.set('store', store);
    await next();
  };
