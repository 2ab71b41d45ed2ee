/**
 * The feedback browser's reads: the filters of every list (shared/filters.ts, the same as
 * GET /v1/feedback) in two orders — newest first (listFeedback, keyset cursor) and lowest rated
 * first (thumbs down and one star first; pages by offset, since the order is not unique).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { FILTER_SHAPE, pickFilters, refuseConflicts } from '../../shared/filters.ts';
import type { Feedback } from '../../shared/schemas.ts';
import { decodeCursor } from '../store/cursor.ts';
import { applyFeedbackFilters } from '../store/feedback-filters.ts';
import { listFeedback, rowToFeedback } from '../store/feedback-read.ts';
import type { DB } from '../store/schema.ts';
import { withInsightsTables } from '../insights/tables.ts';

const blank = (v: unknown) => (v === '' ? undefined : v);

/** Query string of /dashboard/feedback: the filters, the order and the page (page-query.ts checks it). */
export const BrowserQuery = z
  .object({
    ...FILTER_SHAPE,
    sort: z.preprocess(blank, z.enum(['newest', 'lowest']).default('newest')),
    cursor: z.preprocess(blank, z.string().max(500).optional()),
    page: z.preprocess(blank, z.coerce.number().int().min(1).max(10_000).default(1)),
  })
  .superRefine(refuseConflicts);
export type BrowserQuery = z.infer<typeof BrowserQuery>;

export const PAGE_SIZE = 50;

export interface BrowserPage {
  items: Feedback[];
  nextCursor: string | null;
  nextPage: number | null;
}

export async function browseFeedback(db: Kysely<DB>, workspaceId: string, q: BrowserQuery): Promise<BrowserPage> {
  const filters = pickFilters(q);
  if (q.sort === 'newest') {
    const page = await listFeedback(db, { workspaceId }, { ...filters, limit: PAGE_SIZE, cursor: q.cursor && decodeCursor(q.cursor) ? q.cursor : undefined });
    return { items: page.items.filter((f): f is Feedback => !('deleted' in f && f.deleted)), nextCursor: page.nextCursor, nextPage: null };
  }
  const query = applyFeedbackFilters(db.selectFrom('feedback').selectAll().where('workspace_id', '=', workspaceId).where('deleted', '=', 0), filters)
    // 0 = thumbs down or one star … 1 = thumbs up or five stars; a label-only rating sorts last.
    .orderBy((eb) =>
      eb
        .case()
        .when('thumb', '=', 'down').then(0)
        .when('stars', 'is not', null).then(eb(eb.cast<number>('stars', 'real'), '/', 5))
        .when('thumb', '=', 'up').then(1)
        .else(2)
        .end(),
    )
    .orderBy('stars')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  const rows = await query.limit(PAGE_SIZE + 1).offset((q.page - 1) * PAGE_SIZE).execute();
  return {
    items: rows.slice(0, PAGE_SIZE).map(rowToFeedback),
    nextCursor: null,
    nextPage: rows.length > PAGE_SIZE ? q.page + 1 : null,
  };
}

/** Values for the filter drop-downs (most used first), from the daily rollups: no scan of raw rows. */
export async function filterChoices(db: Kysely<DB>, workspaceId: string) {
  const distinct = async (col: 'model' | 'site') =>
    (
      await withInsightsTables(db)
        .selectFrom('rollup_daily')
        .select(col)
        .where('workspace_id', '=', workspaceId)
        .where(col, '!=', '')
        .groupBy(col)
        .having((eb) => eb(eb.fn.sum('n'), '>', 0))
        .orderBy((eb) => eb.fn.sum('n'), 'desc')
        .limit(100)
        .execute()
    ).map((r) => r[col] as string);
  const [models, sites] = await Promise.all([distinct('model'), distinct('site')]);
  return { models, sites };
}
