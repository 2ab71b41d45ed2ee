/**
 * Composition: middleware, then one router per resource. Tests build this and call
 * `app.request()`; server.ts serves it over HTTP.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { LIMITS } from '../shared/limits.ts';
import { ApiError, errorBody, handleError } from './lib/errors.ts';
import type { AppEnv } from './lib/types.ts';
import { parseEnv } from './env.ts';
import { bearerAuth } from './middleware/auth/index.ts';
import { rateLimitPerToken } from './middleware/rate-limit/index.ts';
import { extensionConfigRoutes } from './routes/extension-config.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { healthRoutes } from './routes/health.ts';
import { syncRoutes } from './routes/sync.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Store } from './store/open.ts';

export interface AppOptions {
  store: Store;
  /** Requests per minute per token (0 = off); env RATE_LIMIT_PER_MINUTE by default. */
  rateLimitPerMinute?: number;
}

export function createApp({ store, rateLimitPerMinute }: AppOptions) {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));

  app.use('*', async function provideStore(c, next) {
    c.set('store', store);
    await next();
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: LIMITS.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body is over ${LIMITS.maxBodyBytes} bytes (1 MiB); send smaller batches.`);
      },
    }),
  );
  app.use('/v1/*', async function requireJson(c, next) {
    const method = c.req.method;
    if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && c.req.header('Content-Length') !== '0') {
      const type = c.req.header('Content-Type') ?? '';
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
        throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".');
      }
    }
    await next();
  });
  app.use('/v1/*', bearerAuth());
  // After auth: the limit is per token (/healthz is outside /v1 and never limited).
  app.use('/v1/*', rateLimitPerToken({ limit: rateLimitPerMinute ?? parseEnv().RATE_LIMIT_PER_MINUTE }));

  const routes = app.route('/', healthRoutes).route('/', syncRoutes).route('/', feedbackRoutes).route('/', extensionConfigRoutes).route('/', webhookRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Groundtruth API', version: '0.1.0', description: 'Human judgments of AI output: sync, feedback, insights, exports.' },
  });
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
