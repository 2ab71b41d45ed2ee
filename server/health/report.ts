/**
 * Site health per site and UTC day for the last N days, with each site's open incident: the one
 * query behind GET /v1/sites/health and the dashboard's Sites page.
 */
import { sql, type Kysely } from 'kysely';
import { addDays, dayOf } from '../insights/days.ts';
import type { DB } from '../store/schema.ts';
import { figures } from './rule.ts';
import { withHealth, type IncidentReason } from './tables.ts';

export const HEALTH_DAYS = { default: 7, min: 1, max: 90 } as const;

export interface SiteDay {
  day: string;
  visits: number;
  clients: number;
  /** Share of the visits with answers found. */
  answersShare: number | null;
  /** Of the visits with answers and user turns, the share whose prompt was read (null: none). */
  promptShare: number | null;
  /** Share of the visits where a fallback selector, not the layout's first, found the answers. */
  fallbackShare: number | null;
  layouts: Record<string, number>;
  adapters: Record<string, number>;
}

export interface SiteHealth {
  site: string;
  status: 'ok' | 'broken';
  brokenSince: string | null;
  reason: IncidentReason | null;
  /** Days with visits, oldest first. */
  days: SiteDay[];
}

export interface SiteHealthReport {
  days: number;
  sites: SiteHealth[];
}

const n = (v: unknown) => Number(v ?? 0);
const key = (site: string, day: string) => `${site}\u001f${day}`;

/** Broken sites first, then by name. Days are the last `days` UTC days, today included. */
export async function siteHealth(db: Kysely<DB>, workspaceId: string, days: number, now: Date = new Date()): Promise<SiteHealthReport> {
  const h = withHealth(db);
  const from = addDays(dayOf(now), 1 - days);
  const inRange = h.selectFrom('site_visits').where('workspace_id', '=', workspaceId).where('day', '>=', from);
  const [totals, layouts, adapters, open] = await Promise.all([
    inRange
      .select([
        'site',
        'day',
        sql<number>`count(*)`.as('visits'),
        sql<number>`count(distinct client_id)`.as('clients'),
        sql<number>`sum(case when answers > 0 then 1 else 0 end)`.as('with_answers'),
        sql<number>`sum(case when answers > 0 and user_turns > 0 then 1 else 0 end)`.as('prompt_base'),
        sql<number>`sum(case when answers > 0 and user_turns > 0 and prompt_read = 1 then 1 else 0 end)`.as('with_prompt'),
        sql<number>`sum(fallback)`.as('fallback'),
      ])
      .groupBy(['site', 'day'])
      .execute(),
    inRange.select(['site', 'day', 'layout as name', sql<number>`count(*)`.as('n')]).groupBy(['site', 'day', 'layout']).execute(),
    inRange.select(['site', 'day', 'adapter as name', sql<number>`count(*)`.as('n')]).groupBy(['site', 'day', 'adapter']).execute(),
    h.selectFrom('site_incidents').select(['site', 'broken_since', 'reason']).where('workspace_id', '=', workspaceId).where('ended_at', 'is', null).execute(),
  ]);

  const mix = (rows: { site: string; day: string; name: string; n: unknown }[]) => {
    const out = new Map<string, Record<string, number>>();
    for (const r of [...rows].sort((a, b) => n(b.n) - n(a.n) || (a.name < b.name ? -1 : 1))) {
      const k = key(r.site, r.day);
      out.set(k, { ...out.get(k), [r.name]: n(r.n) });
    }
    return out;
  };
  const layoutMix = mix(layouts);
  const adapterMix = mix(adapters);

  const bySite = new Map<string, SiteDay[]>();
  for (const r of totals) {
    const visits = n(r.visits);
    const f = figures({ visits, clients: n(r.clients), withAnswers: n(r.with_answers), promptBase: n(r.prompt_base), withPrompt: n(r.with_prompt) });
    const day: SiteDay = {
      day: r.day,
      ...f,
      fallbackShare: visits > 0 ? n(r.fallback) / visits : null,
      layouts: layoutMix.get(key(r.site, r.day)) ?? {},
      adapters: adapterMix.get(key(r.site, r.day)) ?? {},
    };
    const list = bySite.get(r.site);
    if (list) list.push(day);
    else bySite.set(r.site, [day]);
  }
  const incidents = new Map(open.map((i) => [i.site, i]));
  const names = [...new Set([...bySite.keys(), ...incidents.keys()])];
  const sites: SiteHealth[] = names.map((site) => {
    const incident = incidents.get(site);
    return {
      site,
      status: incident ? 'broken' : 'ok',
      brokenSince: incident?.broken_since ?? null,
      reason: incident?.reason ?? null,
      days: (bySite.get(site) ?? []).sort((a, b) => (a.day < b.day ? -1 : 1)),
    };
  });
  sites.sort((a, b) => (a.status === b.status ? (a.site < b.site ? -1 : a.site > b.site ? 1 : 0) : a.status === 'broken' ? -1 : 1));
  return { days, sites };
}
