/**
 * GET /v1/insights/{accuracy,stats,agreement} (analyst+): figures read from the rollups, scoped
 * to the token's workspace, with the filters of every list (shared/filters.ts; stats: all but
 * since/until, its window being `days`); a filter the rollups are not kept by is counted exactly
 * from the rows (insights/exact.ts). An unknown query parameter is 400 `unknown_parameter`. The functions behind them (server/insights/) are the API the
 * dashboard calls directly. People's ratings only unless `sourceType` or `judge` asks for a judge's
 * (insights/filters.ts, withDefaultSource); a judge against people is routes/calibration.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { FILTER_SHAPE, pickFilters, refuseConflicts } from '../../shared/filters.ts';
import { accuracy } from '../insights/accuracy.ts';
import { agreement } from '../insights/agreement.ts';
import { DIMENSIONS, type Dimension } from '../insights/rollups.ts';
import { stats } from '../insights/stats.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid query', content: json(ErrorBody) },
} as const;

const Interval = z.object({ low: z.number(), high: z.number() });
const nullableString = z.string().nullable();

/** Stats' window is its `days`: every filter of a list but the time bounds (insights/stats.ts). */
const { since: _since, until: _until, ...FILTERS_BUT_BOUNDS } = FILTER_SHAPE;

const AccuracyQuery = z.object({
  ...FILTER_SHAPE,
  groupBy: z
    .string()
    .default('model')
    .refine((v) => v.split(',').every((d) => (DIMENSIONS as readonly string[]).includes(d.trim())), {
      message: `comma-separated dimensions among ${DIMENSIONS.join(', ')}`,
    })
    .openapi({ description: `Comma-separated, among ${DIMENSIONS.join(', ')}`, example: 'model,intent' }),
}).superRefine(refuseConflicts);
const StatsQuery = z.object({ ...FILTERS_BUT_BOUNDS, days: z.enum(['7', '30', '90']).default('7') }).superRefine(refuseConflicts);
const AgreementQuery = z
  .object({
    ...FILTER_SHAPE,
    limit: z.coerce.number().int().min(1).max(100).default(10).openapi({ description: 'Disputed targets to list' }),
  })
  .superRefine(refuseConflicts);

const AccuracyResponse = z
  .object({
    groupBy: z.array(z.enum(DIMENSIONS)),
    since: nullableString,
    until: nullableString,
    criterion: nullableString.openapi({ description: 'The criterion counted: `overall` unless a criterion filter is given; null when grouped by criterion (every criterion)' }),
    groups: z.array(
      z.object({
        key: z.record(z.string(), nullableString),
        n: z.number().openapi({ description: 'Ratings with a thumb' }),
        up: z.number(),
        down: z.number(),
        shareUp: z.number().nullable(),
        wilson: Interval.openapi({ description: 'Wilson score 95% interval of the share up' }),
        meanStars: z.number().nullable(),
        starsN: z.number(),
        ratings: z.number().openapi({ description: 'All live ratings in the group' }),
        thin: z.boolean().openapi({ description: 'Fewer than 10 thumbs: too few to rank on' }),
      }),
    ),
  })
  .openapi('Accuracy');

const accuracyRoute = createRoute({
  method: 'get',
  path: '/v1/insights/accuracy',
  summary: 'Accuracy per model (and intent, project, site, kind, criterion) with Wilson intervals, best lower bound first; criterion `overall` unless filtered or grouped by criterion',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(AccuracyQuery.shape))] as const,
  request: { query: AccuracyQuery },
  responses: { 200: { description: 'Groups, best first', content: json(AccuracyResponse) }, ...errors },
});

const WindowFigures = z.object({
  since: z.string(),
  until: z.string(),
  ratings: z.number(),
  up: z.number(),
  down: z.number(),
  shareUp: z.number().nullable(),
  stars: z.object({ 1: z.number(), 2: z.number(), 3: z.number(), 4: z.number(), 5: z.number() }),
  meanStars: z.number().nullable(),
  raters: z.number(),
  conversations: z.number(),
  meanLatencyMs: z.number().nullable(),
  meanTokensUsed: z.number().nullable(),
});

const StatsResponse = z
  .object({
    days: z.number(),
    criterion: z.string().openapi({ description: 'The criterion counted: `overall` unless a criterion filter is given' }),
    current: WindowFigures,
    previous: WindowFigures,
    series: z.array(z.object({ day: z.string(), ratings: z.number(), up: z.number(), down: z.number(), meanStars: z.number().nullable() })),
  })
  .openapi('Stats');

const statsRoute = createRoute({
  method: 'get',
  path: '/v1/insights/stats',
  summary: 'Totals, distributions, raters, conversations, latency and tokens for the last N days, and the N days before',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(StatsQuery.shape))] as const,
  request: { query: StatsQuery },
  responses: { 200: { description: 'Figures for this window and the previous one', content: json(StatsResponse) }, ...errors },
});

const Alpha = z.object({
  alpha: z.number().nullable(),
  units: z.number(),
  values: z.number(),
  percentAgreement: z.number().nullable(),
});
const AgreementFigures = z.object({ targets: z.number(), thumbs: Alpha, stars: Alpha });

const AgreementResponse = z
  .object({
    criterion: z.string().openapi({ description: 'The criterion of overall, byModel and disputed: `overall` unless a criterion filter is given' }),
    overall: AgreementFigures,
    byModel: z.array(AgreementFigures.extend({ model: nullableString })),
    byCriterion: z.array(AgreementFigures.extend({ criterion: z.string() })).openapi({ description: 'Every criterion (only the one filtered on, with a criterion filter), most shared targets first' }),
    disputed: z.array(
      z.object({
        targetKey: z.string(),
        criterion: z.string(),
        model: nullableString,
        raters: z.number(),
        up: z.number(),
        down: z.number(),
        stars: z.array(z.number()),
        disagreement: z.number(),
      }),
    ),
  })
  .openapi('Agreement');

const agreementRoute = createRoute({
  method: 'get',
  path: '/v1/insights/agreement',
  summary: "Agreement between raters: percent agreement and Krippendorff's alpha (nominal thumbs, ordinal stars), per model and per criterion; most disputed targets",
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(AgreementQuery.shape))] as const,
  request: { query: AgreementQuery },
  responses: { 200: { description: 'Agreement figures', content: json(AgreementResponse) }, ...errors },
});

export const insightsRoutes = createRouter()
  .openapi(accuracyRoute, async (c) => {
    const q = c.req.valid('query');
    const groupBy = q.groupBy.split(',').map((d) => d.trim()) as Dimension[];
    const result = await accuracy(c.get('store').db, c.get('auth').workspaceId, { ...pickFilters(q), groupBy });
    return c.json(result, 200);
  })
  .openapi(statsRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await stats(c.get('store').db, c.get('auth').workspaceId, { ...pickFilters(q), days: Number(q.days) }), 200);
  })
  .openapi(agreementRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await agreement(c.get('store').db, c.get('auth').workspaceId, { ...pickFilters(q), disputedLimit: q.limit }), 200);
  });
