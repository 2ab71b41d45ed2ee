/**
 * Composition: middleware, then one router per resource. Tests build this and call
 * `app.request()`; server.ts serves it over HTTP.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Next } from 'hono';
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
import { insightsRoutes } from './routes/insights.ts';
import { exportRoutes } from './routes/exports.ts';
import { conversationFeedbackRoutes } from './routes/conversation-feedback.ts';
import { docsRoutes } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { itemRoutes } from './routes/items.ts';
import { searchRoutes } from './routes/search.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { raterRoutes } from './routes/raters.ts';
import { settingsRoutes } from './routes/settings.ts';
import { siteRoutes } from './routes/sites.ts';
import { syncRoutes } from './routes/sync.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Store } from './store/open.ts';
import { dashboardRoutes } from './dashboard/index.ts';

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
  // The same guards for the native API (/v1) and the drop-in conversation API (/api/v1).
  const apiGuards = [
    bodyLimit({
      maxSize: LIMITS.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body is over ${LIMITS.maxBodyBytes} bytes (1 MiB); send smaller batches.`);
      },
    }),
    async function requireJson(c: Context<AppEnv>, next: Next) {
      const method = c.req.method;
      // A request with no body at all (no length, not chunked) has nothing to type-check.
      const hasBody = (c.req.header('Content-Length') ?? '0') !== '0' || c.req.header('Transfer-Encoding') !== undefined;
      if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && hasBody) {
        const type = c.req.header('Content-Type') ?? '';
        if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
          throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".');
        }
      }
      await next();
    },
    bearerAuth(),
    // After auth: the limit is per token (/healthz is outside these prefixes and never limited).
    rateLimitPerToken({ limit: rateLimitPerMinute ?? parseEnv().RATE_LIMIT_PER_MINUTE }),
  ] as const;
  for (const prefix of ['/v1/*', '/api/v1/*']) app.use(prefix, ...apiGuards);

  const routes = app.route('/', healthRoutes).route('/', syncRoutes).route('/', feedbackRoutes).route('/', extensionConfigRoutes)
    .route('/', itemRoutes)
    .route('/', eventRoutes)
    .route('/', conversationFeedbackRoutes)
    .route('/', webhookRoutes)
    .route('/', raterRoutes)
    .route('/', settingsRoutes)
    .route('/', searchRoutes)
    .route('/', subjectRoutes)
    .route('/', insightsRoutes)
    .route('/', siteRoutes)
    .route('/', exportRoutes);
  // Server-rendered pages with their own session auth, CSP and CSRF checks (not under /v1).
  app.route('/dashboard', dashboardRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const openApiConfig = {
    openapi: '3.1.0',
    info: { title: 'Groundtruth API', version: '0.1.0', description: 'Human judgments of AI output: sync, feedback, insights, exports.' },
  };
  app.doc31('/openapi.json', openApiConfig);
  app.route('/', docsRoutes(() => app.getOpenAPI31Document(openApiConfig)));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
