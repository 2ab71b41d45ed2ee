import { OpenAPIHono } from '@hono/zod-openapi';
import { validationError, errorBody } from './errors.ts';
import type { AppEnv } from './types.ts';

/**
 * A resource router. Validation failures of declared schemas become 422 with the fields named;
 * a body that is not JSON is a 400 (thrown by the validator, shaped by the app's onError).
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const err = result.error as unknown;
        if (err && typeof err === 'object' && 'issues' in err) return c.json(validationError(err as never), 422);
        return c.json(errorBody('validation_failed', 'The request is not valid.'), 422);
      }
    },
  });
}
