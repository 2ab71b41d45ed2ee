/** Environment, parsed once at start-up by zod: a bad value stops start-up with one clear line. */
import path from 'node:path';
import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int('must be a whole number').min(0).max(65535, 'must be at most 65535').default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
  // PostgreSQL connections per server process (docs/operations.md: servers × pool < max_connections).
  DATABASE_POOL_SIZE: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(10),
  // Governance (issue 6). Requests per minute per token; 0 = off. Generous: a rater's sync
  // sends a few requests a minute and a pipeline batches, so normal use never meets it.
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int('must be a whole number').min(0, 'must be 0 (off) or more').default(6000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').default(10_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).default(1000),
  // How often the server applies each workspace's retention setting (daily).
  RETENTION_INTERVAL_HOURS: z.coerce.number().positive('must be more than 0').default(24),
});
export type Env = z.infer<typeof Env>;

export class EnvError extends Error {
  override name = 'EnvError';
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = Env.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new EnvError(`Invalid environment variable ${name}=${JSON.stringify(source[name] ?? '')}: ${issue.message}`);
  }
  return { ...result.data, DATA_DIR: path.resolve(result.data.DATA_DIR) };
}
