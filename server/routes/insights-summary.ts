/**
 * GET /v1/insights/summary?subject= (analyst+): the figures 003's `get_summary(task_id)` gives —
 * how many ratings a subject (a task) has, their mean stars, the 1–5 distribution, and the same per
 * criterion (003's feedback types) — counted exactly from the subject's live rows (index
 * feedback_ws_subject); the rollups are not kept by subject. Takes the filters of every list
 * (shared/filters.ts); `subject` is required. Native names, camelCase. People's ratings only unless
 * a `sourceType` or `judge` filter asks for others (insights/filters.ts, withDefaultSource).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { FILTER_SHAPE, refuseConflicts, type FilterValues } from '../../shared/filters.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { applyFeedbackFilters } from '../store/feedback-filters.ts';
import type { DB } from '../store/schema.ts';
import { withDefaultSource } from '../insights/filters.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const STARS = ['1', '2', '3', '4', '5'] as const;
const Distribution = z
  .object({ 1: z.number().int(), 2: z.number().int(), 3: z.number().int(), 4: z.number().int(), 5: z.number().int() })
  .openapi({ description: 'Ratings with 1 … 5 stars' });
const Figures = {
  total: z.number().int().openapi({ description: 'Live ratings (with or without stars)' }),
  averageRating: z.number().nullable().openapi({ description: 'Mean stars; null when no rating has stars' }),
  distribution: Distribution,
};
export const SubjectSummary = z
  .object({
    subject: z.string(),
    ...Figures,
    byCriterion: z.record(z.string(), z.object(Figures)).openapi({ description: 'The same per criterion (003: per feedback type)' }),
  })
  .openapi('SubjectSummary');
export type SubjectSummary = z.infer<typeof SubjectSummary>;

const SummaryQuery = z.object(FILTER_SHAPE).superRefine((v, ctx) => {
  if (v.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'required: the subject (e.g. a task id) to summarise' });
  refuseConflicts(v, ctx);
});

type Figures = { total: number; averageRating: number | null; distribution: Record<(typeof STARS)[number], number> };

function emptyFigures(): Figures & { starsSum: number; starsN: number } {
  return { total: 0, averageRating: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, starsSum: 0, starsN: 0 };
}

/** The summary of the live ratings matching `filters` (subject among them), exact. */
export async function subjectSummary(db: Kysely<DB>, workspaceId: string, filters: FilterValues & { subject: string }): Promise<SubjectSummary> {
  const q = applyFeedbackFilters(
    db
      .selectFrom('feedback')
      .select(['criterion', 'stars'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0),
    withDefaultSource(filters),
  );
  const rows = await q.groupBy(['criterion', 'stars']).execute();
  const all = emptyFigures();
  const per = new Map<string, ReturnType<typeof emptyFigures>>();
  for (const r of rows) {
    const n = Number(r.n);
    const stars = r.stars === null ? null : Number(r.stars);
    let c = per.get(r.criterion);
    if (!c) per.set(r.criterion, (c = emptyFigures()));
    for (const f of [all, c]) {
      f.total += n;
      if (stars !== null && stars >= 1 && stars <= 5) {
        f.distribution[String(stars) as (typeof STARS)[number]] += n;
        f.starsN += n;
        f.starsSum += stars * n;
      }
    }
  }
  const done = ({ starsSum, starsN, ...f }: ReturnType<typeof emptyFigures>): Figures => ({ ...f, averageRating: starsN ? starsSum / starsN : null });
  return {
    subject: filters.subject,
    ...done(all),
    byCriterion: Object.fromEntries([...per].sort(([a], [b]) => a.localeCompare(b)).map(([k, f]) => [k, done(f)])),
  };
}

const summaryRoute = createRoute({
  method: 'get',
  path: '/v1/insights/summary',
  summary: 'Summary of one subject (e.g. a task): total, average stars, 1–5 distribution, and per criterion',
  description:
    'For 003\'s `get_summary(task_id)`: `subject` is required; the other filters of every list narrow it. Counts every live rating ' +
    'of the subject, whatever its criterion (`byCriterion` splits them); `averageRating` is over the ratings with stars.',
  tags: ['Insights'],
  security: [{ bearer: [] }],
  middleware: [rejectUnknownQuery(Object.keys(FILTER_SHAPE)), requireRole('analyst')] as const,
  request: { query: SummaryQuery },
  responses: {
    200: { description: 'The summary', content: json(SubjectSummary) },
    400: { description: 'Unknown query parameter (named)', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Needs the analyst role', content: json(ErrorBody) },
    422: { description: 'Invalid or missing parameter (named)', content: json(ErrorBody) },
  },
});

export const insightsSummaryRoutes = createRouter().openapi(summaryRoute, async (c) => {
  const q = c.req.valid('query');
  return c.json(await subjectSummary(c.get('store').db, c.get('auth').workspaceId, { ...q, subject: q.subject! }), 200);
});
