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
