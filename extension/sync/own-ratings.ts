/**
 * Reads this rater's own ratings in one conversation from the server, for the outbox to adopt
 * (outbox.adopt): GET /v1/feedback?conversationId=…&includeDeleted=true, page by page through
 * `nextCursor`, at most OWN_RATINGS_MAX records. A rater token reads only its own records there.
 *
 * Deletions are asked for on purpose: a vote undone on another device, or superseded by a newer
 * vote from another device, comes back as a tombstone that takes the stale row off this one.
 */
import { z } from 'zod';
import { LIMITS } from '../../shared/limits.ts';
import { Feedback } from '../../shared/schemas.ts';
import type { ServerSettings } from './client.ts';
import type { InferRequestType } from 'hono/client';
import { serverApi, type Api } from './api.ts';
import { requestJson, type Failure, type Fetch, type HttpResult } from './http.ts';

/** More than any conversation holds; a bound so that a server ignoring the filter cannot keep us paging. */
export const OWN_RATINGS_MAX = 1000;

export interface OwnRatingsDeps {
  fetch: Fetch;
  getServer(): Promise<ServerSettings>;
}

interface OwnRatingsQuery {
  /** The site adapter's id, as stored in `target.site`. */
  site?: string;
  conversationId: string;
}

type OwnRatingsResult = { ok: true; records: Feedback[] } | { ok: false; failure: Failure };

/** The list envelope; each item is checked on its own, so one odd record does not hide the others. */
const Page = z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() });
type Page = z.infer<typeof Page>;

/** The list's query, typed from the server's route (GET /v1/feedback). */
type ListQuery = InferRequestType<Api['v1']['feedback']['$get']>['query'];

function pageQuery(q: OwnRatingsQuery, limit: number, cursor: string | null): ListQuery {
  return {
    conversationId: q.conversationId,
    includeDeleted: 'true',
    limit: String(limit),
    ...(q.site ? { site: q.site } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/**
 * A record as this extension reads it: fields a newer server added (at any depth) are dropped, not
 * a reason to drop the record. Browsers update extensions on their own schedule and servers on
 * their admin's: an extension built before migration 0200 read no record back from a server that
 * added `source`, since every schema here is strict, and the rater's earlier ratings vanished.
 * Anything else wrong with a record still drops it.
 */
export function readRecord(item: unknown): z.ZodSafeParseResult<Feedback> {
  const first = Feedback.safeParse(item);
  if (first.success || !first.error.issues.every((i) => i.code === 'unrecognized_keys')) return first;
  const copy = structuredClone(item) as Record<string, unknown>;
  for (const issue of first.error.issues) {
    let at: unknown = copy;
    for (const step of issue.path) at = (at as Record<PropertyKey, unknown>)[step as PropertyKey];
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) delete (at as Record<string, unknown>)[key];
  }
  return Feedback.safeParse(copy);
}

export async function fetchOwnRatings(deps: OwnRatingsDeps, q: OwnRatingsQuery): Promise<OwnRatingsResult> {
  const { serverUrl, token } = await deps.getServer();
  if (!token) return { ok: false, failure: { kind: 'not-configured', message: 'No token yet: open the Groundtruth options and paste your token.' } };
  const api = serverApi(deps.fetch, serverUrl, token);
  const records: Feedback[] = [];
  const seenCursors = new Set<string>();
  let read = 0;
  let cursor: string | null = null;
  while (read < OWN_RATINGS_MAX) {
    const limit = Math.min(LIMITS.listMaxLimit, OWN_RATINGS_MAX - read);
    const query = pageQuery(q, limit, cursor);
    const res: HttpResult<Page> = await requestJson(serverUrl, () => api.v1.feedback.$get({ query }), (body) => {
      const parsed = Page.safeParse(body);
      return parsed.success ? parsed.data : undefined;
    });
    if (!res.ok) return { ok: false, failure: res.failure };
    const { items, nextCursor }: Page = res.body;
    read += items.length;
    for (const item of items) {
      // A tombstone without its record (an id the server never saw live) has no target: nothing to show.
      const parsed = readRecord(item);
      if (!parsed.success) continue;
      const t = parsed.data.target;
      // Checked here too: a server that ignored the filter would answer with every conversation.
      if (t.conversationId !== q.conversationId || (q.site && t.site !== q.site)) continue;
      records.push(parsed.data);
    }
    // The end, or a server that would keep us paging (an empty page, a cursor given twice).
    if (!nextCursor || items.length === 0 || seenCursors.has(nextCursor)) break;
    seenCursors.add(nextCursor);
    cursor = nextCursor;
  }
  return { ok: true, records };
}
