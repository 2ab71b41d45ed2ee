/** Environment, parsed once at start-up by zod: a bad value stops start-up with one clear line. */
import path from 'node:path';
import { z } from 'zod';
import { LIMITS } from '../shared/limits.ts';
import { isAllowedHostEntry } from './webhooks/address-policy.ts';

/** `1`/`true` or `0`/`false`. */
const flag = (name: string) =>
  z.enum(['0', '1', 'true', 'false'], { error: `${name} must be 1 or 0` }).default('0').transform((v) => v === '1' || v === 'true');

const Env = z.object({
  PORT: z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int('must be a whole number').min(0).max(65535, 'must be at most 65535').default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('data'),
  // The address links the server prints start with (rating links, the embed snippet; DESIGN, "Links
  // the server prints"). Unset: http://HOST:PORT. Behind a load balancer, its public https:// address.
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
  // Serve /metrics on this port only, without a token (issue 18); unset: on PORT, admin token needed.
  METRICS_PORT: z.coerce.number({ error: 'must be a port number from 1 to 65535' }).int('must be a whole number').min(1).max(65535).optional().or(z.literal('').transform(() => undefined)),
  // PostgreSQL connections per server process (docs/operations.md: servers × pool < max_connections).
  DATABASE_POOL_SIZE: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(10),
  // Governance (issue 6). Requests per minute per token; 0 = off. Generous: a rater's sync
  // sends a few requests a minute and a pipeline batches, so normal use never meets it.
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int('must be a whole number').min(0, 'must be 0 (off) or more').default(6000),
  // Requests per minute per client address that carry no valid token (bad tokens, failed sign-ins);
  // 0 = off. Authenticated requests never count. TRUST_PROXY=N: N proxies in front, whose
  // X-Forwarded-For entries name the client (1 behind one load balancer; 0 = the socket's address).
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int('must be a whole number').min(0, 'must be 0 (off) or more').default(60),
  TRUST_PROXY: z.coerce.number({ error: 'must be the number of proxies in front (0, or 1 behind one load balancer)' }).int('must be a whole number').min(0).max(10).default(0),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').default(10_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).default(1000),
  // Webhooks reach public addresses only unless the operator opens private ones (issue 13, SSRF):
  // all of them, or the listed host names, addresses and CIDR ranges (comma-separated).
  WEBHOOK_ALLOW_PRIVATE: flag('WEBHOOK_ALLOW_PRIVATE'),
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isAllowedHostEntry, 'each entry must be a host name (or *.domain), an IP address or a CIDR range like 10.0.0.0/8'))),
  // How often the server applies each workspace's retention setting (daily).
  RETENTION_INTERVAL_HOURS: z.coerce.number().positive('must be more than 0').default(24),
  // The audit log's own retention (issue 13): entries older than this many days are removed daily.
  AUDIT_RETENTION_DAYS: z.coerce.number().int('must be a whole number of days').min(1, 'must be at least 1 day').max(36_500).default(365),
  // A client time further ahead of the server's clock is refused as `clock_ahead` (DESIGN, "Clocks").
  MAX_CLOCK_SKEW_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must be 0 or more')
    .default(LIMITS.clockSkewSeconds),
  // Semantic search (issue 14; server/search/semantic/config.ts): any OpenAI-compatible embeddings
  // API, e.g. https://api.openai.com/v1 or Ollama's http://localhost:11434/v1 (set by the operator,
  // so local addresses are allowed). Unset: search is lexical and says so.
  EMBEDDINGS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional().or(z.literal('').transform(() => undefined)),
  EMBEDDINGS_MODEL: z.string().max(200).optional().or(z.literal('').transform(() => undefined)),
  EMBEDDINGS_API_KEY: z.string().optional().or(z.literal('').transform(() => undefined)),
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int('must be a whole number').min(100, 'must be at least 100').default(10_000),
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

/** Where the server's printed links start: PUBLIC_URL, else http://HOST:PORT (no trailing slash). */
export function publicUrl(env: Pick<Env, 'PUBLIC_URL' | 'HOST' | 'PORT'> = parseEnv()): string {
  if (env.PUBLIC_URL) return env.PUBLIC_URL;
  const host = env.HOST.includes(':') && !env.HOST.startsWith('[') ? `[${env.HOST}]` : env.HOST;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${env.PORT}`;
}
