/**
 * A rater's own ratings follow them: when a conversation opens in a tab, the rater's ratings in
 * it are fetched from the server (made on another device, or before a reinstall) and adopted by
 * the outbox, so the widgets show them and a re-vote updates the same record. Only against
 * servers that advertise `own-ratings`. Each page load asks again (one indexed query on the
 * server), so a vote made elsewhere a minute ago shows; tabs asking at the same time share one request.
 */
import type { TargetStatus } from '../messages.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { fetchOwnRatings } from '../sync/own-ratings.ts';
import type { Fetch } from '../sync/http.ts';
import { loadRemoteConfig, loadSettings, serverCan, type KeyValueArea } from './settings.ts';

interface OwnRatingsDeps {
  outbox: Outbox;
  fetch: Fetch;
  storage: KeyValueArea;
  /** Whether the extension may reach this server (host permission). */
  mayReach(serverUrl: string): Promise<boolean>;
}

export function ownRatingsPuller(deps: OwnRatingsDeps) {
  const inFlight = new Map<string, Promise<TargetStatus[]>>();

  async function pull(site: string, conversationId: string): Promise<TargetStatus[]> {
    const settings = await loadSettings(deps.storage);
    if (!settings.token || !serverCan(await loadRemoteConfig(deps.storage), 'own-ratings')) return [];
    if (!(await deps.mayReach(settings.serverUrl))) return [];
    const res = await fetchOwnRatings(
      { fetch: deps.fetch, getServer: async () => ({ serverUrl: settings.serverUrl, token: settings.token }) },
      { site: site || undefined, conversationId },
    );
    // Offline or refused: the widgets keep what this device knows; the next visit asks again.
    return res.ok ? deps.outbox.adopt(res.records) : [];
  }

  return function pullOwnRatings(site: string, conversationId: string): Promise<TargetStatus[]> {
    const id = `${site} ${conversationId}`;
    let pending = inFlight.get(id);
    if (!pending) {
      pending = pull(site, conversationId).finally(() => inFlight.delete(id));
      inFlight.set(id, pending);
    }
    return pending;
  };
}
