/**
 * Bodies that accept one of two shapes (a single event or a batch; a native or a drop-in feedback).
 * zod reports a failed union as "Invalid input" without saying which field is wrong, so on failure
 * this hook picks the shape the sender evidently meant and reports that shape's errors, field by field.
 */
import type { Context, Env } from 'hono';
import type { ZodType } from 'zod';
import { validationError } from './errors.ts';

interface HookResult {
  success: boolean;
  error?: unknown;
}

export function explainUnionFailure(pick: (body: unknown) => ZodType) {
  // Generic in the route's env and path, so the route keeps its literal path in the router's type (hc<AppType>, ADR 0032).
  return function explainUnionFailure<E extends Env, P extends string>(result: HookResult, c: Context<E, P>) {
    if (result.success) return undefined;
    // zod-validator passes the raw value as `data` on failure too (not in its types).
    const body = (result as unknown as { data?: unknown }).data;
    const retry = pick(body).safeParse(body);
    const error = retry.success ? result.error : retry.error;
    return c.json(validationError(error as never), 422) as never;
  };
}
