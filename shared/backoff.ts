/**
 * Retry timing, for the extension's sync (429, 5xx and network errors; extension/sync/scheduler.ts)
 * and the server's webhook deliveries (server/webhooks/worker.ts): exponential backoff with "equal
 * jitter" (half the step fixed, half random) so that many clients coming back at once spread out,
 * while the wait still grows with each failure; never shorter than the other side's `Retry-After`. See
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 2 * 60_000;

/** Delay before retry number `failures` (1 = after the first failure); at least `retryAfterMs` (not capped by `maxMs`). */
export function backoffDelay(failures: number, retryAfterMs?: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? BACKOFF_BASE_MS;
  const max = options.maxMs ?? BACKOFF_MAX_MS;
  const random = options.random ?? Math.random;
  const step = Math.min(max, base * 2 ** Math.max(0, Math.min(30, failures - 1)));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
