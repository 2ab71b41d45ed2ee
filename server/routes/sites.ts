/**
 * GET /v1/sites/health (analyst+): per site and UTC day, the visits content scripts counted, the
 * share with answers found and with the prompt read, the layout and adapter mix, and whether the
 * rule (server/health/rule.ts, HEALTH_RULE) has the site broken. Scoped to the token's workspace.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { HEALTH_DAYS, siteHealth } from '../health/report.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const share = z.number().nullable();
const Day = z.iso.date();

const HealthQuery = z.object({
  days: z
    // An empty value (`days=`) counts as absent.
    .preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(HEALTH_DAYS.min).max(HEALTH_DAYS.max).default(HEALTH_DAYS.default))
    .openapi({ description: `UTC days back, today included (${HEALTH_DAYS.min}–${HEALTH_DAYS.max}, default ${HEALTH_DAYS.default})`, example: 7 }),
});

const Count = z.record(z.string(), z.number());

const SitesHealthResponse = z
  .object({
    days: z.number(),
    sites: z.array(
      z.object({
        site: z.string(),
        status: z.enum(['ok', 'broken']),
        brokenSince: Day.nullable().openapi({ description: 'UTC day of the first bad visit of the open incident' }),
        reason: z.enum(['no_answers', 'no_prompt']).nullable(),
        days: z.array(
          z.object({
            day: Day,
            visits: z.number(),
            clients: z.number().openapi({ description: 'Distinct client ids' }),
            answersShare: share.openapi({ description: 'Share of the visits with answers found' }),
            promptShare: share.openapi({ description: 'Of the visits with answers and user turns, the share whose prompt was read' }),
            fallbackShare: share.openapi({ description: 'Share of the visits where a fallback selector found the answers' }),
            layouts: Count.openapi({ description: 'Visits per matched layout (`none`: no layout found answers)' }),
            adapters: Count.openapi({ description: 'Visits per adapter' }),
          }),
        ),
      }),
    ),
  })
  .openapi('SitesHealth');

const healthRoute = createRoute({
  method: 'get',
  path: '/v1/sites/health',
  summary: 'Adapter health per site and day: visits, share with answers and with the prompt, layout mix, broken or not',
  description:
    `Days without visits are left out. A site is broken when, in a rolling ${HEALTH_RULE.windowHours} hours, at least ` +
    `${HEALTH_RULE.minVisits} visits from at least ${HEALTH_RULE.minClients} clients saw user turns and 0 answers (no_answers), ` +
    `or the prompt was read in under ${HEALTH_RULE.minPromptShare * 100} % of at least ${HEALTH_RULE.minVisits} visits with answers (no_prompt); ` +
    `it is healthy again after ${HEALTH_RULE.healthyToRecover} healthy visits in a row. An unknown query parameter is 400 \`unknown_parameter\`.`,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(HealthQuery.shape))] as const,
  request: { query: HealthQuery },
  responses: {
    200: { description: 'Sites, broken ones first', content: json(SitesHealthResponse) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Needs the analyst role', content: json(ErrorBody) },
    422: { description: 'Invalid query', content: json(ErrorBody) },
  },
});

export const siteRoutes = createRouter().openapi(healthRoute, async (c) => {
  const { days } = c.req.valid('query');
  return c.json(await siteHealth(c.get('store').db, c.get('auth').workspaceId, days), 200);
});
