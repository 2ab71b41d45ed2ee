/**
 * The feedback browser's reads: the API's filters (GET /v1/feedback) in two orders — newest first
 * (listFeedback, keyset cursor) and lowest rated first (thumbs down and one star first; pages by
 * offset, since the order is not unique).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TargetKind, Thumb, type Feedback } from '../../shared/schemas.ts';
import { decodeCursor } from '../store/cursor.ts';
import { listFeedback, rowToFeedback, type ListFilters } from '../store/feedback-read.ts';
import type { DB } from '../store/schema.ts';
import { withInsightsTables } from '../insights/tables.ts';

const optionalText = z
  .string()
  .trim()
  .max(256)
  .optional()
  .transform((v) => (v ? v : undefined));
const optionalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .or(z.literal('').transform(() => undefined));
const optionalStars = z
  .union([z.coerce.number().int().min(1).max(5), z.literal('').transform(() => undefined)])
  .optional();

/** Query string of /dashboard/feedback; anything malformed is dropped rather than refused. */
export const BrowserQuery = z.object({
  since: optionalDate.catch(undefined),
  until: optionalDate.catch(undefined),
  model: optionalText.catch(undefined),
  site: optionalText.catch(undefined),
  kind: TargetKind.optional().catch(undefined),
  rater: optionalText.catch(undefined),
  subject: optionalText.catch(undefined),
  thumb: Thumb.optional().catch(undefined),
  minStars: optionalStars.catch(undefined),
  maxStars: optionalStars.catch(undefined),
  sort: z.enum(['newest', 'lowest']).default('newest').catch('newest'),
  cursor: z.string().max(500).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
export type BrowserQuery = z.infer<typeof BrowserQuery>;

export const PAGE_SIZE = 50;

export interface BrowserPage {
  items: Feedback[];
  nextCursor: string | null;
  nextPage: number | null;
}

function dayStart(d: string | undefined): string | undefined {
  return d ? `${d}T00:00:00.000Z` : undefined;
}
/** `until` is inclusive in the form: the whole day. */
function dayEnd(d: string | undefined): string | undefined {
  return d ? new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined;
}

export async function browseFeedback(db: Kysely<DB>, workspaceId: string, q: BrowserQuery): Promise<BrowserPage> {
  const filters: Omit<ListFilters, 'limit'> = {
    since: dayStart(q.since),
    until: dayEnd(q.until),
    model: q.model,
    site: q.site,
    kind: q.kind,
    rater: q.rater,
    thumb: q.thumb,
    minStars: q.minStars,
    maxStars: q.maxStars,
  };
  if (q.sort === 'newest' && !q.subject) {
    const page = await listFeedback(db, { workspaceId }, { ...filters, limit: PAGE_SIZE, cursor: q.cursor && decodeCursor(q.cursor) ? q.cursor : undefined });
    return { items: page.items.filter((f): f is Feedback => !('deleted' in f && f.deleted)), nextCursor: page.nextCursor, nextPage: null };
  }
  let query = db.selectFrom('feedback').selectAll().where('workspace_id', '=', workspaceId).where('deleted', '=', 0);
  if (filters.since) query = query.where('created_at', '>=', filters.since);
  if (filters.until) query = query.where('created_at', '<', filters.until);
  if (q.model) query = query.where('model', '=', q.model);
  if (q.site) query = query.where('site', '=', q.site);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.rater) query = query.where('rater_id', '=', q.rater);
  if (q.subject) query = query.where('subject', '=', q.subject);
  if (q.thumb) query = query.where('thumb', '=', q.thumb);
  if (q.minStars !== undefined) query = query.where('stars', '>=', q.minStars);
  if (q.maxStars !== undefined) query = query.where('stars', '<=', q.maxStars);
  if (q.sort === 'lowest') {
    // 0 = thumbs down or one star … 1 = thumbs up or five stars; a label-only rating sorts last.
    query = query
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
  } else {
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
  }
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
