/**
 * Adapter health visits (shared/site-health.ts): stored as they arrive with sync, then the
 * broken/recovered rule (incidents.ts) runs for every site they touched, all in one transaction,
 * so the visits, the incident and its webhook deliveries commit together or not at all.
 */
import type { Kysely } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import type { SiteVisit } from '../../shared/site-health.ts';
import type { DB } from '../store/schema.ts';
import { lockForWrite, retryOnConflict } from '../store/write-locks.ts';
import { evaluateSite } from './incidents.ts';
import { withHealth, type SiteVisitsTable } from './tables.ts';

export interface VisitSource {
  workspaceId: string;
  tokenId: string;
  clientId: string;
}

/** A visit dated further back than this counts at the time it was received. */
export const VISIT_MAX_AGE_DAYS = 7;
const DAY_MS = 86_400_000;

/** The time a visit counts at: the client's, unless it is in the future or over VISIT_MAX_AGE_DAYS old. */
export function visitTime(at: string, received: Date): string {
  const t = Date.parse(at);
  const now = received.getTime();
  return Number.isFinite(t) && t <= now && t >= now - VISIT_MAX_AGE_DAYS * DAY_MS ? new Date(t).toISOString() : received.toISOString();
}

/** One advisory lock per (workspace, site) on PostgreSQL: two servers never judge a site at once. */
const siteLock = (workspaceId: string, site: string) => `site-health:${workspaceId}\u001f${site}`;

function toRow(v: SiteVisit, source: VisitSource, received: Date): SiteVisitsTable {
  const at = visitTime(v.at, received);
  return {
    workspace_id: source.workspaceId,
    id: uuidv7(received.getTime()),
    received_at: received.toISOString(),
    at,
    day: at.slice(0, 10),
    client_id: source.clientId,
    token_id: source.tokenId,
    site: v.site,
    adapter: v.adapter,
    layout: v.layout,
    fallback: v.fallback ? 1 : 0,
    pack: v.pack ?? null,
    answers: v.answers,
    user_turns: v.userTurns,
    prompt_read: v.prompt ? 1 : 0,
    model_read: v.model ? 1 : 0,
    conversation_read: v.conversationId ? 1 : 0,
  };
}

/** Stores the visits of one sync request (one multi-row insert), then judges each site they touched; returns how many were stored. */
export async function recordSiteVisits(db: Kysely<DB>, source: VisitSource, visits: SiteVisit[], now: Date = new Date()): Promise<number> {
  if (!visits.length) return 0;
  // In the order they happened (a stable sort keeps the client's order for equal times).
  const rows = visits.map((v) => toRow(v, source, now)).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const sites = [...new Set(rows.map((r) => r.site))].sort();
  return retryOnConflict(() =>
    withHealth(db)
      .transaction()
      .execute(async (trx) => {
        await lockForWrite(
          trx,
          sites.map((s) => siteLock(source.workspaceId, s)),
        );
        await trx.insertInto('site_visits').values(rows).execute();
        for (const site of sites) {
          const mine = rows.filter((r) => r.site === site).map((r) => ({ at: r.at, answers: r.answers, userTurns: r.user_turns, prompt: r.prompt_read === 1 }));
          await evaluateSite(trx, source.workspaceId, site, mine, now);
        }
        return rows.length;
      }),
  );
}
