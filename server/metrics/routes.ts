/**
 * GET /readyz (no token) and GET /metrics (issue 18). Without METRICS_PORT, /metrics is on the
 * API's port and needs an admin token; with it, the API's port answers 404 and `metricsApp` serves
 * /metrics on that port alone, without a token (server.ts starts it) — keep that port internal.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { handleError } from '../lib/errors.ts';
import { createRouter } from '../lib/router.ts';
import type { AppEnv } from '../lib/types.ts';
import { bearerAuth } from '../middleware/auth/index.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import type { Store } from '../store/open.ts';
import { readiness } from './readyz.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { CONTENT_TYPE, scrape } from './scrape.ts';

const Check = z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() });
/** The work queue's lag (store/work-queue.ts): jobs pending and the age of the oldest. */
const Queue = z.object({ pending: z.number().int(), oldestPendingSeconds: z.number() }).optional();
const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness check (no token): store, migrations, background jobs',
  middleware: [rejectUnknownQuery([])] as const,
  responses: {
    200: { description: 'Ready for traffic', content: { 'application/json': { schema: z.object({ ok: z.literal(true), checks: z.array(Check), queue: Queue }) } } },
    503: {
      description: 'Not ready: `failing` names the first failing check (the usual error object says the same)',
      content: {
        'application/json': {
          schema: z.object({
            ok: z.literal(false),
            failing: z.string(),
            checks: z.array(Check),
            queue: Queue,
            error: z.object({ code: z.literal('not_ready'), message: z.string() }),
          }),
        },
      },
    },
  },
});
const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (admin token; with METRICS_PORT only on that port, without a token)',
  security: [{ bearer: [] }],
  middleware: [bearerAuth(), requireRole('admin'), rejectUnknownQuery([])] as const,
  responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
});

export function opsRoutes(options: { metricsPort?: number }) {
  const router = createRouter().openapi(readyz, async (c) => {
    const ready = await readiness(c.get('store'));
    const failing = ready.checks.find((check) => !check.ok);
    const queue = ready.queue ? { queue: ready.queue } : {};
    if (!failing) return c.json({ ok: true as const, checks: ready.checks, ...queue }, 200);
    const message = `Not ready: ${failing.name}${failing.error ? ` (${failing.error})` : ''}.`;
    return c.json({ ok: false as const, failing: failing.name, checks: ready.checks, ...queue, error: { code: 'not_ready' as const, message } }, 503);
  });
  if (options.metricsPort === undefined) {
    router.openapi(metrics, async (c) => c.text(await scrape(c.get('store')), 200, { 'Content-Type': CONTENT_TYPE }));
  }
  return router;
}

/** The METRICS_PORT listener's app: /metrics and nothing else. */
export function metricsApp(store: Store) {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.get('/metrics', async (c) => c.body(await scrape(store), 200, { 'Content-Type': CONTENT_TYPE }));
  app.notFound((c) => c.text('Only /metrics is served on this port.\n', 404));
  return app;
}
