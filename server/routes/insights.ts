/**
 * GET /v1/insights/{accuracy,stats,agreement} (analyst+): figures read from the rollups, scoped
 * to the token's workspace. The functions behind them (server/insights/) are the API the
 * dashboard calls directly.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { accuracy } from '../insights/accuracy.ts';
import { agreement } from '../insights/agreement.ts';
import { DIMENSIONS, type Dimension } from '../insights/rollups.ts';
import { stats } from '../insights/stats.ts';
import { createRouter } from '../lib/router.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid query', content: json(ErrorBody) },
} as const;

const Bound = z.iso.datetime({ offset: true }).or(z.iso.date());
const Interval = z.object({ low: z.number(), high: z.number() });
const nullableString = z.string().nullable();

const AccuracyQuery = z.object({
  groupBy: z
    .string()
    .default('model')
    .refine((v) => v.split(',').every((d) => (DIMENSIONS as readonly string[]).includes(d.trim())), {
      message: `comma-separated dimensions among ${DIMENSIONS.join(', ')}`,
    })
    .openapi({ description: `Comma-separated, among ${DIMENSIONS.join(', ')}`, example: 'model,intent' }),
  since: Bound.optional().openapi({ description: 'Inclusive; whole UTC days (rollups are daily)' }),
  until: Bound.optional().openapi({ description: 'Exclusive; the day holding it is included unless it is midnight' }),
});

const AccuracyResponse = z
  .object({
    groupBy: z.array(z.enum(DIMENSIONS)),
    since: nullableString,
    until: nullableString,
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
  summary: 'Accuracy per model (and intent, project, site, kind) with Wilson intervals, best lower bound first',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
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
  middleware: [requireRole('analyst')] as const,
  request: { query: z.object({ days: z.enum(['7', '30', '90']).default('7') }) },
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
    overall: AgreementFigures,
    byModel: z.array(AgreementFigures.extend({ model: nullableString })),
    disputed: z.array(
      z.object({
        targetKey: z.string(),
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
  summary: "Agreement between raters: percent agreement and Krippendorff's alpha (nominal thumbs, ordinal stars), per model; most disputed targets",
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst')] as const,
  request: {
    query: z.object({
      model: z.string().min(1).max(256).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(10).openapi({ description: 'Disputed targets to list' }),
    }),
  },
  responses: { 200: { description: 'Agreement figures', content: json(AgreementResponse) }, ...errors },
});

export const insightsRoutes = createRouter()
  .openapi(accuracyRoute, async (c) => {
    const q = c.req.valid('query');
    const groupBy = q.groupBy.split(',').map((d) => d.trim()) as Dimension[];
    const result = await accuracy(c.get('store').db, c.get('auth').workspaceId, { groupBy, since: q.since, until: q.until });
    return c.json(result, 200);
  })
  .openapi(statsRoute, async (c) => {
    const { days } = c.req.valid('query');
    return c.json(await stats(c.get('store').db, c.get('auth').workspaceId, { days: Number(days) }), 200);
  })
  .openapi(agreementRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await agreement(c.get('store').db, c.get('auth').workspaceId, { model: q.model, disputedLimit: q.limit }), 200);
  });
