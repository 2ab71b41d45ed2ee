import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../lib/router.ts';

const health = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness check (no token needed)',
  responses: { 200: { description: 'The server is up', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } } },
});

export const healthRoutes = createRouter().openapi(health, (c) => c.json({ ok: true as const }, 200));
