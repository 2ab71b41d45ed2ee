/**
 * Calls to the Groundtruth server from the extension's own origin, with every failure turned into
 * a kind and a sentence a rater can act on. Only the background and the options page call these;
 * the token never leaves them.
 */
import { ErrorBody } from '../../shared/schemas.ts';
import { parseRetryAfter } from './backoff.ts';

export type FailureKind =
  | 'not-configured'
  | 'no-permission'
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'server-error'
  | 'not-groundtruth'
  | 'refused';

export interface Failure {
  kind: FailureKind;
  /** One plain sentence for the popup or the options page. */
  message: string;
  status?: number;
  retryAfterMs?: number;
}

/** Failures worth retrying by themselves (with backoff); the others wait for a change of settings or "Sync now". */
export const RETRYABLE: ReadonlySet<FailureKind> = new Set(['unreachable', 'rate-limited', 'server-error']);

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpResult<T> = { ok: true; status: number; body: T } | { ok: false; failure: Failure };

/** "http://127.0.0.1:8787/" → "http://127.0.0.1:8787" (base for `${base}/v1/...`). */
export function baseUrl(serverUrl: string): string {
  return serverUrl.trim().replace(/\/+$/, '');
}

async function errorMessage(res: Response): Promise<string | undefined> {
  try {
    const parsed = ErrorBody.safeParse(await res.json());
    return parsed.success ? parsed.data.error.message : undefined;
  } catch {
    return undefined;
  }
}

export async function failureOf(res: Response, serverUrl: string, now: number = Date.now()): Promise<Failure> {
  const status = res.status;
  const where = baseUrl(serverUrl);
  if (status === 401) {
    return { kind: 'unauthorized', status, message: 'The server does not accept this token (unknown or revoked). Paste a valid token in the options.' };
  }
  if (status === 403) {
    const why = await errorMessage(res);
    return { kind: 'forbidden', status, message: `The token's role is not allowed to do this${why ? `: ${why}` : '.'}` };
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get('Retry-After'), now);
    const when = retryAfterMs !== undefined ? ` Trying again in ${Math.ceil(retryAfterMs / 1000)} s.` : '';
    return { kind: 'rate-limited', status, retryAfterMs, message: `The server asked to slow down (too many requests).${when}` };
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers.get('Retry-After'), now);
    return { kind: 'server-error', status, retryAfterMs, message: `The server at ${where} had an error (HTTP ${status}); trying again later.` };
  }
  const why = await errorMessage(res);
  if (why === undefined) {
    return { kind: 'not-groundtruth', status, message: `${where} answered, but not like a Groundtruth server (HTTP ${status}). Check the server URL.` };
  }
  return { kind: 'refused', status, message: `The server refused the request (HTTP ${status}): ${why}` };
}

export function unreachable(serverUrl: string): Failure {
  return {
    kind: 'unreachable',
    message: `Cannot reach the server at ${baseUrl(serverUrl)}. Is it running, and is the address right?`,
  };
}

/** A JSON request; `parse` checks the answer's shape (a 200 that is not Groundtruth's is a failure too). */
export async function requestJson<T>(
  fetchFn: Fetch,
  serverUrl: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; signal?: AbortSignal },
  parse: (body: unknown) => T | undefined,
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetchFn(`${baseUrl(serverUrl)}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      // Never send cookies of the server's site; the bearer token is the only credential.
      credentials: 'omit',
    });
  } catch {
    return { ok: false, failure: unreachable(serverUrl) };
  }
  if (!res.ok) return { ok: false, failure: await failureOf(res, serverUrl) };
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  const body = parse(json);
  if (body === undefined) {
    return {
      ok: false,
      failure: { kind: 'not-groundtruth', status: res.status, message: `${baseUrl(serverUrl)} answered, but not like a Groundtruth server. Check the server URL.` },
    };
  }
  return { ok: true, status: res.status, body };
}
