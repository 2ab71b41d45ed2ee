/**
 * What the rater's review queues hold for them: GET /v1/queues?status=open (issue 16, item 1), one
 * page of at most QUEUES_MAX queues, each with `toReview` (the items the caller could still be
 * given or holds now; 0 where they may not review). Read tolerantly: only the fields the popup
 * shows are checked, so a newer server's additions do not break an older extension.
 */
import { z } from 'zod';
import type { ServerSettings } from './client.ts';
import { serverApi } from './api.ts';
import { requestJson, type Failure, type Fetch } from './http.ts';

/** Queues read in one go: more than a rater is given; the rest would not fit the popup anyway. */
export const QUEUES_MAX = 200;

export const QueueToReview = z.object({ id: z.string(), name: z.string(), toReview: z.number().int().min(0) });
export type QueueToReview = z.infer<typeof QueueToReview>;

const Page = z.object({ items: z.array(z.unknown()) });

export type QueuesResult = { ok: true; queues: QueueToReview[] } | { ok: false; failure: Failure };

export async function fetchQueuesToReview(deps: { fetch: Fetch; getServer(): Promise<ServerSettings> }): Promise<QueuesResult> {
  const { serverUrl, token } = await deps.getServer();
  if (!token) return { ok: false, failure: { kind: 'not-configured', message: 'No token yet: open the Groundtruth options and paste your token.' } };
  const api = serverApi(deps.fetch, serverUrl, token);
  const res = await requestJson(serverUrl, () => api.v1.queues.$get({ query: { status: 'open', limit: String(QUEUES_MAX) } }), (body) => {
    const parsed = Page.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  });
  if (!res.ok) return res;
  // Each queue checked on its own: one odd entry does not hide the others.
  const queues = res.body.items.flatMap((q) => {
    const parsed = QueueToReview.safeParse(q);
    return parsed.success ? [parsed.data] : [];
  });
  return { ok: true, queues };
}
