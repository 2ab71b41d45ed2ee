/**
 * Exact figures for filters the rollups are not kept by (filters.ts, rollupsAnswer): the live rows
 * that match are read page by page and folded into rollup-shaped rows by the same rules the
 * rollups are kept with (rollups.ts: contributionOf, Deltas), so a figure computed from these rows
 * is the figure the rollups would give if they were kept by that filter too. The cost grows with
 * the matching rows; the rollups stay the fast path for the dimensions they hold. People's ratings
 * only unless the filters ask for a source (filters.ts, withDefaultSource), as the rollups hold.
 */
import type { Kysely } from 'kysely';
import type { DB, FeedbackTable } from '../store/schema.ts';
import { applyFeedbackFilters } from '../store/feedback-filters.ts';
import { contributionOf, Deltas } from './rollups.ts';
import { withDefaultSource, type InsightFilters } from './filters.ts';
import type { RollupDailyTable, RollupMembersTable, RollupTargetsTable } from './tables.ts';

export interface ExactRollups {
  daily: RollupDailyTable[];
  members: RollupMembersTable[];
  targets: RollupTargetsTable[];
}

const PAGE = 2000;

/** Rollup-shaped rows of the live records of `workspaceId` matching `filters`, counted exactly. */
export async function exactRollups(db: Kysely<DB>, workspaceId: string, filters: InsightFilters): Promise<ExactRollups> {
  const deltas = new Deltas();
  const counted = withDefaultSource(filters);
  let after: string | null = null;
  for (;;) {
    // The one place filters become SQL (store/feedback-filters.ts), as for the list and exports.
    const live = db.selectFrom('feedback').selectAll().where('workspace_id', '=', workspaceId).where('deleted', '=', 0);
    let q = applyFeedbackFilters(live as never, counted) as typeof live;
    if (after !== null) q = q.where('id', '>', after);
    const rows = (await q.orderBy('id').limit(PAGE).execute()) as FeedbackTable[];
    for (const row of rows) {
      const c = contributionOf(row);
      if (c) deltas.add(c, 1);
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  return {
    daily: [...deltas.daily.values()],
    members: [...deltas.members.values()],
    targets: [...deltas.targets.values()],
  };
}
