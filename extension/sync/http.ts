/**
 * Calls to the Groundtruth server from the extension's own origin (made by the typed client of
 * api.ts), with every failure turned into a kind and a sentence a rater can act on. Only the
 * background calls the server (the options page's "Test connection" asks it); the token never
 * leaves the extension's own origin.
 */
import { ErrorBody } from '../../shared/schemas.ts';
import { parseRetryAfter } from '../../shared/backoff.ts';

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

/** "http://127.0.0.1:8787/" → "http://127.0.0.1:8787" (the typed client's base, api.ts). */
export function baseUrl(serverUrl: string): string {
  return serverUrl.trim().replace(/\/+$/, '');
}

async function errorMessage(res: Answer): Promise<string | undefined> {
  try {
    const parsed = ErrorBody.safeParse(await res.json());
    return parsed.success ? parsed.data.error.message : undefined;
  } catch {
    return undefined;
  }
}

async function failureOf(res: Answer, serverUrl: string, now: number = Date.now()): Promise<Failure> {
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

function unreachable(serverUrl: string): Failure {
  return {
    kind: 'unreachable',
    message: `Cannot reach the server at ${baseUrl(serverUrl)}. Is it running, and is the address right?`,
  };
}

/** What a call of the typed client (api.ts) answers: a Response, as far as these checks read it. */
interface Answer {
  ok: boolean;
  status: number;
  headers: Headers;
  json(): Promise<unknown>;
}

/**
 * One call of the typed client (`send`, e.g. `() => api.v1.sync.$post({ json })`); `parse` checks the
 * answer's shape (a 200 that is not Groundtruth's is a failure too).
 */
export async function requestJson<T>(
  serverUrl: string,
  send: () => Promise<Answer>,
  parse: (body: unknown) => T | undefined,
): Promise<HttpResult<T>> {
  let res: Answer;
  try {
    res = await send();
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
