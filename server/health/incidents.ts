/**
 * Opening and ending a site's incident after new visits were stored, inside the transaction that
 * stored them, with its `site.broken` / `site.recovered` webhook deliveries in the same commit.
 *
 * - An open incident runs its healthy streak over the new visits made since it opened (a client
 *   that syncs old visits late cannot end an incident with what it saw before the breakage);
 *   at HEALTH_RULE.healthyToRecover it ends, at the time of the visit that completed the streak.
 * - Without an open incident the rule judges the window: HEALTH_RULE.windowHours back from the
 *   site's newest visit, and never before the last incident ended (the bad visits that opened an
 *   incident cannot open the next one).
 */
import type { Kysely } from 'kysely';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { DB } from '../store/schema.ts';
import { enqueueWorkspaceEvent } from '../webhooks/outbox.ts';
import { figures, judge, runStreak, type VisitCounts } from './rule.ts';
import type { HealthDB, SiteIncidentsTable } from './tables.ts';
import { windowCounts } from './window.ts';

const HOUR_MS = 3_600_000;

/** A visit of the batch just stored, as the streak needs it. */
export interface NewVisit extends VisitCounts {
  at: string;
}

export interface SiteOutcome {
  opened?: SiteIncidentsTable;
  ended?: SiteIncidentsTable;
}

async function currentFigures(trx: Kysely<HealthDB>, workspaceId: string, site: string, after: string | null) {
  const newest = await trx
    .selectFrom('site_visits')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('workspace_id', '=', workspaceId)
    .where('site', '=', site)
    .executeTakeFirst();
  const until = newest?.at ?? new Date(0).toISOString();
  const windowStart = new Date(Date.parse(until) - HEALTH_RULE.windowHours * HOUR_MS).toISOString();
  const from = after && after > windowStart ? after : windowStart;
  return windowCounts(trx, workspaceId, site, from, until);
}

/**
 * Applies the rule to one site after `visits` (this batch's visits of that site, in the order they
 * happened) were stored. `trx` is the transaction that stored them.
 */
export async function evaluateSite(
  trx: Kysely<HealthDB>,
  workspaceId: string,
  site: string,
  visits: NewVisit[],
  now: Date,
): Promise<SiteOutcome> {
  const outcome: SiteOutcome = {};
  const incidents = trx.selectFrom('site_incidents').where('workspace_id', '=', workspaceId).where('site', '=', site);
  const open = await incidents.selectAll().where('ended_at', 'is', null).executeTakeFirst();
  let endedAt: string | null = null;

  if (open) {
    const since = visits.filter((v) => v.at >= open.started_at);
    const { streak, recoveredBy } = runStreak(open.healthy_streak, since);
    if (!recoveredBy) {
      if (streak !== open.healthy_streak) {
        await trx.updateTable('site_incidents').set({ healthy_streak: streak }).where('id', '=', open.id).execute();
      }
      return outcome;
    }
    endedAt = recoveredBy.at;
    await trx.updateTable('site_incidents').set({ healthy_streak: streak, ended_at: endedAt }).where('id', '=', open.id).execute();
    outcome.ended = { ...open, healthy_streak: streak, ended_at: endedAt };
    const data = {
      site,
      incidentId: open.id,
      brokenSince: open.broken_since,
      reason: open.reason,
      recoveredAt: endedAt,
      // The whole window (breakage and recovery), not only what came after the recovery.
      figures: figures(await currentFigures(trx, workspaceId, site, null)),
    };
    await enqueueWorkspaceEvent(trx as unknown as Kysely<DB>, workspaceId, 'site.recovered', data, now);
  } else {
    const last = await incidents.select((eb) => eb.fn.max('ended_at').as('ended')).executeTakeFirst();
    endedAt = last?.ended ?? null;
  }

  const counts = await currentFigures(trx, workspaceId, site, endedAt);
  const verdict = judge(counts);
  if (!verdict) return outcome;
  const incident: SiteIncidentsTable = {
    workspace_id: workspaceId,
    site,
    id: uuidv7(now.getTime()),
    broken_since: verdict.since,
    started_at: now.toISOString(),
    reason: verdict.reason,
    healthy_streak: 0,
    ended_at: null,
  };
  await trx.insertInto('site_incidents').values(incident).execute();
  outcome.opened = incident;
  const data = { site, incidentId: incident.id, brokenSince: verdict.since, reason: verdict.reason, figures: figures(counts) };
  await enqueueWorkspaceEvent(trx as unknown as Kysely<DB>, workspaceId, 'site.broken', data, now);
  return outcome;
}
