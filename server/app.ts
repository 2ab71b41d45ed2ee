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
import { clientAddress } from './lib/client-address.ts';
import { bearerAuth } from './middleware/auth/index.ts';
import { defaultRateCounters, type RateCounters } from './middleware/rate-limit/counters.ts';
import { appRateLimits } from './middleware/rate-limit/index.ts';
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
import { auditRoutes } from './routes/audit.ts';
import { settingsRoutes } from './routes/settings.ts';
import { siteRoutes } from './routes/sites.ts';
import { syncRoutes } from './routes/sync.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Store } from './store/open.ts';
import type { WebhookAddressPolicy } from './webhooks/address-policy.ts';
import { dashboardRoutes } from './dashboard/index.ts';

export interface AppOptions {
  store: Store;
  /** Requests per minute per token (0 = off); env RATE_LIMIT_PER_MINUTE by default. */
  rateLimitPerMinute?: number;
  /** How far ahead of the server's clock a client's time may be; env MAX_CLOCK_SKEW_SECONDS by default. */
  maxClockSkewSeconds?: number;
  /** Which webhook receivers may be registered; env WEBHOOK_ALLOW_PRIVATE / WEBHOOK_ALLOWED_HOSTS by default. */
  webhookAddresses?: WebhookAddressPolicy;
  /** Requests per minute per client address that do not authenticate (0 = off); env RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE by default. */
  rateLimitUnauthenticatedPerMinute?: number;
  /** Proxies in front whose X-Forwarded-For is believed (0 = none); env TRUST_PROXY by default. */
  trustProxy?: number;
  /** The rate limits' counters (tests: a settable clock, explicit flushes); shared through PostgreSQL by default. */
  rateCounters?: RateCounters;
}

export function createApp({
  store,
  rateLimitPerMinute,
  webhookAddresses,
  maxClockSkewSeconds,
  rateLimitUnauthenticatedPerMinute,
  trustProxy,
  rateCounters,
}: AppOptions) {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));

  app.use('*', async function provideStore(c, next) {
    c.set('store', store);
    await next();
  });
  const clockSkew = maxClockSkewSeconds ?? parseEnv().MAX_CLOCK_SKEW_SECONDS;
  app.use('*', async function provideClockSkew(c, next) {
    c.set('maxClockSkewSeconds', clockSkew);
    await next();
  });
  const proxies = trustProxy ?? parseEnv().TRUST_PROXY;
  // Where a request comes from, for the audit log (the dashboard says `via: dashboard` itself).
  app.use('*', async function provideClient(c, next) {
    c.set('client', { address: clientAddress(c, proxies) ?? null, via: 'api' });
    await next();
  });
  // Rate limits (issue 13): one set of counters for the API and the dashboard.
  const limits = appRateLimits({
    counters: rateCounters ?? defaultRateCounters(store),
    perToken: rateLimitPerMinute ?? parseEnv().RATE_LIMIT_PER_MINUTE,
    perAddress: rateLimitUnauthenticatedPerMinute ?? parseEnv().RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    trustProxy: proxies,
  });
  // The same guards for the native API (/v1) and the drop-in conversation API (/api/v1).
  const apiGuards = [
    // Before anything else: an address past its limit of unauthenticated requests gets no further.
    limits.api.perAddress,
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
    limits.api.perToken,
  ] as const;
  for (const prefix of ['/v1/*', '/api/v1/*']) app.use(prefix, ...apiGuards);

  const routes = app.route('/', healthRoutes).route('/', syncRoutes).route('/', feedbackRoutes).route('/', extensionConfigRoutes)
    .route('/', itemRoutes)
    .route('/', eventRoutes)
    .route('/', conversationFeedbackRoutes)
    .route('/', webhookRoutes(webhookAddresses ?? envWebhookAddresses()))
    .route('/', raterRoutes)
    .route('/', auditRoutes)
    .route('/', settingsRoutes)
    .route('/', searchRoutes)
    .route('/', subjectRoutes)
    .route('/', insightsRoutes)
    .route('/', siteRoutes)
    .route('/', exportRoutes);
  // Server-rendered pages with their own session auth, CSP and CSRF checks (not under /v1).
  app.route('/dashboard', dashboardRoutes({ rateLimits: limits.dashboard }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const openApiConfig = {
    openapi: '3.1.0',
    info: { title: 'Groundtruth API', version: '0.1.0', description: 'Human judgments of AI output: sync, feedback, insights, exports.' },
  };
  app.doc31('/openapi.json', openApiConfig);
  app.route('/', docsRoutes(() => app.getOpenAPI31Document(openApiConfig)));
  return routes;
}

function envWebhookAddresses(): WebhookAddressPolicy {
  const env = parseEnv();
  return { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE, allowedHosts: env.WEBHOOK_ALLOWED_HOSTS };
}

export type AppType = ReturnType<typeof createApp>;
