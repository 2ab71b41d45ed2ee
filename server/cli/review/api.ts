/**
 * The review CLI's only way to the data: the HTTP API (GET /v1/items?unrated=1, POST
 * /v1/feedback), with the reviewer's token, as any other client. Failures become one Error with a
 * readable line (the CLI prints it and exits 1): the server cannot be reached, the token is
 * refused (401) or lacks a role (403), or the server answered `{error:{code,message}}`.
 */
import type { Item } from '../../../shared/items.ts';
import type { FeedbackInput } from '../../../shared/schemas.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { ReviewOptions } from './options.ts';

/** An item of the review queue, as GET /v1/items returns it. */
export type QueueItem = Item;

export class ReviewApiError extends Error {}

async function call(opts: Pick<ReviewOptions, 'url' | 'token'>, path: string, init: RequestInit = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${opts.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${opts.token}`, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new ReviewApiError(`cannot reach the server at ${opts.url} (${why}): is it running, and is GROUNDTRUTH_URL / --url right?`);
  }
  if (res.status === 401) throw new ReviewApiError(`the server at ${opts.url} refused the token (401): check GROUNDTRUTH_TOKEN / --token (revoked or expired?)`);
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const what = error ? `${error.code}: ${error.message}` : `HTTP ${res.status}`;
    throw new ReviewApiError(`${init.method ?? 'GET'} ${path.split('?')[0]} failed (${res.status} ${what})`);
  }
  return body;
}

/** The review queue, newest first, up to `limit` items (fetched page by page before the session starts). */
export async function fetchQueue(opts: ReviewOptions): Promise<QueueItem[]> {
  const items: QueueItem[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ unrated: '1', limit: String(Math.min(LIMITS.listMaxLimit, opts.limit - items.length)) });
    for (const [k, v] of Object.entries(opts.filters)) params.set(k, v);
    if (cursor) params.set('cursor', cursor);
    const page = (await call(opts, `/v1/items?${params}`)) as { items: QueueItem[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < opts.limit);
  return items.slice(0, opts.limit);
}

export async function sendFeedback(opts: Pick<ReviewOptions, 'url' | 'token'>, feedback: FeedbackInput): Promise<void> {
  await call(opts, '/v1/feedback', { method: 'POST', body: JSON.stringify(feedback) });
}
