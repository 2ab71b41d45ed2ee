/**
 * The popup's "N to review": the rater's open review queues with what each holds for them, summed,
 * each linked to its page in the dashboard (`<server>/dashboard/queues/<id>`, on the server URL
 * the extension is configured with). Asked only of a server advertising the `queues` capability
 * (DESIGN, "Versions"), with a token, and that the extension may reach; otherwise, offline or
 * refused, there is nothing to show (null) and the popup shows no line.
 */
import { z } from 'zod';
import { baseUrl, type Fetch } from '../sync/http.ts';
import { fetchQueuesToReview } from '../sync/queues.ts';
import { loadRemoteConfig, loadSettings, serverCan, type KeyValueArea } from './settings.ts';

export const ToReviewQueue = z.object({ id: z.string(), name: z.string(), toReview: z.number(), url: z.string() });
export const ToReview = z.object({
  /** The sum of `toReview` over the rater's open queues. */
  total: z.number(),
  /** The queues with something to review for the rater, as listed by the server (newest first). */
  queues: z.array(ToReviewQueue),
});
export type ToReview = z.infer<typeof ToReview>;

/** The dashboard's page of one queue on this server. */
export function queuePageUrl(serverUrl: string, queueId: string): string {
  return `${baseUrl(serverUrl)}/dashboard/queues/${encodeURIComponent(queueId)}`;
}

interface ToReviewDeps {
  fetch: Fetch;
  storage: KeyValueArea;
  /** Whether the extension may reach this server (host permission). */
  mayReach(serverUrl: string): Promise<boolean>;
}

export function toReviewReader(deps: ToReviewDeps) {
  return async function toReview(): Promise<ToReview | null> {
    const settings = await loadSettings(deps.storage);
    if (!settings.token || !serverCan(await loadRemoteConfig(deps.storage), 'queues')) return null;
    if (!(await deps.mayReach(settings.serverUrl))) return null;
    const res = await fetchQueuesToReview({ fetch: deps.fetch, getServer: async () => ({ serverUrl: settings.serverUrl, token: settings.token }) });
    if (!res.ok) return null;
    const queues = res.queues
      .filter((q) => q.toReview > 0)
      .map((q) => ({ id: q.id, name: q.name, toReview: q.toReview, url: queuePageUrl(settings.serverUrl, q.id) }));
    return { total: queues.reduce((n, q) => n + q.toReview, 0), queues };
  };
}
