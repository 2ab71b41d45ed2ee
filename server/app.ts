/**
 * The composition root of the HTTP app: the one onError, the middleware (each in
 * server/middleware/<name>/), then one router per resource and the dashboard. The store comes in
 * opened, with its projections (store/open.ts). Tests build this and call `app.request()`;
 * server.ts serves it over HTTP.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { except } from 'hono/combine';
import { LIMITS } from '../shared/limits.ts';
import { ApiError, errorBody, handleError } from './lib/errors.ts';
import { fastApiDetail } from './lib/fastapi-detail.ts';
import { dropInErrorDetail } from './dropin/feedback-v1.ts';
import type { AppEnv } from './lib/types.ts';
import { parseEnv } from './env.ts';
import { bearerAuth } from './middleware/auth/index.ts';
import { provideClient } from './middleware/provide-client/index.ts';
import { provideClockSkew } from './middleware/provide-clock-skew/index.ts';
import { provideStore } from './middleware/provide-store/index.ts';
import { publicKeyCors } from './middleware/public-key-cors/index.ts';
import { bodyLimit } from './middleware/body-limit/index.ts';
import { requireJson } from './middleware/require-json/index.ts';
import { defaultRateCounters, type RateCounters } from './middleware/rate-limit/counters.ts';
import { appRateLimits } from './middleware/rate-limit/index.ts';
import { extensionConfigRoutes } from './routes/extension-config.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { healthRoutes } from './routes/health.ts';
import { insightsRoutes } from './routes/insights.ts';
import { insightsSummaryRoutes } from './routes/insights-summary.ts';
import { calibrationRoutes } from './routes/calibration.ts';
import { exportRoutes } from './routes/exports.ts';
import { conversationFeedbackRoutes } from './routes/conversation-feedback.ts';
import { docsRoutes } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { traceRoutes } from './routes/traces.ts';
import { itemRoutes } from './routes/items.ts';
import { searchRoutes } from './routes/search.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { raterRoutes } from './routes/raters.ts';
import { auditRoutes } from './routes/audit.ts';
import { settingsRoutes } from './routes/settings.ts';
import { siteRoutes } from './routes/sites.ts';
import { syncRoutes } from './routes/sync.ts';
import { trainingRunRoutes } from './routes/training-runs.ts';
import { queueAgreementRoutes } from './routes/queue-agreement.ts';
import { queueRoutes } from './routes/queues.ts';
import { feedbackLinkRoutes } from './routes/feedback-links.ts';
import { ratingLinkRoutes } from './routes/rating-link.ts';
import { publicKeyRoutes } from './routes/public-keys.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Store } from './store/open.ts';
import type { WebhookAddressPolicy } from './webhooks/address-policy.ts';
import { embeddingsConfigFrom, type EmbeddingsConfig } from './search/semantic/config.ts';
import { dashboardRoutes } from './dashboard/index.ts';
import { observeRequests } from './metrics/http.ts';
import { opsRoutes } from './metrics/routes.ts';
import { embedRoutes } from './routes/embed.ts';
import { CONNECT_PATH, connectRoutes } from './routes/connect.ts';

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
  /** Semantic search's embeddings endpoint (null: lexical only); env EMBEDDINGS_* by default. */
  embeddings?: EmbeddingsConfig | null;
}

export function createApp({
  store,
  rateLimitPerMinute,
  webhookAddresses,
  maxClockSkewSeconds,
  rateLimitUnauthenticatedPerMinute,
  trustProxy,
  rateCounters,
  embeddings,
}: AppOptions) {
  const app = new OpenAPIHono<AppEnv>();
  // The one onError (lib/errors.ts): JSON for the API, the dashboard's page for its requests.
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));

  const proxies = trustProxy ?? parseEnv().TRUST_PROXY;
  app.use('*', observeRequests()); // first: request id, metrics, the request's log line (issue 18)
  app.use('*', provideStore(store));
  const semantic = embeddings === undefined ? embeddingsConfigFrom(parseEnv()) : embeddings;
  app.use('*', async function provideEmbeddings(c, next) {
    c.set('embeddings', semantic); // search (routes/search.ts, dashboard/search.tsx)
    await next();
  });
  app.use('*', provideClockSkew(maxClockSkewSeconds ?? parseEnv().MAX_CLOCK_SKEW_SECONDS));
  app.use('*', provideClient(proxies));
  // Rate limits (issue 13): one set of counters for the API and the dashboard.
  const counters = rateCounters ?? defaultRateCounters(store);
  const limits = appRateLimits({
    counters,
    perToken: rateLimitPerMinute ?? parseEnv().RATE_LIMIT_PER_MINUTE,
    perAddress: rateLimitUnauthenticatedPerMinute ?? parseEnv().RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    trustProxy: proxies,
  });
  // The guards every API request passes before any token is looked at.
  const bodyGuards = [
    // Before anything else: an address past its limit of unauthenticated requests gets no further.
    limits.api.perAddress,
    bodyLimit({
      maxSize: LIMITS.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body is over ${LIMITS.maxBodyBytes} bytes (1 MiB); send smaller batches.`);
      },
    }),
    requireJson(),
  ] as const;
  // The same guards for the native API (/v1) and the drop-in conversation API (/api/v1).
  const apiGuards = [
    ...bodyGuards,
    bearerAuth(),
    // After auth: the limit is per token (/healthz is outside these prefixes and never limited).
    limits.api.perToken,
  ] as const;
  // Before the guards, so their refusals too carry the FastAPI `detail` FilAgent's clients parse.
  app.use('/api/v1/*', fastApiDetail);
  app.use('/v1/feedback/*', dropInErrorDetail); // 002's requests only (dropin/feedback-v1.ts, isDropInRequest)
  // Before the guards: a browser's preflight carries no token; public keys' pages read the answers (ADR 0047).
  app.use('/v1/sync', publicKeyCors());
  // A connect code is the credential of POST /v1/connect (routes/connect.ts): no bearer token there,
  // and every request to it counts against the per-address limit.
  app.use(CONNECT_PATH, ...bodyGuards);
  app.use('/v1/*', except(CONNECT_PATH, ...apiGuards));
  app.use('/api/v1/*', ...apiGuards);

  const routes = app.route('/', healthRoutes).route('/', syncRoutes).route('/', feedbackRoutes).route('/', extensionConfigRoutes)
    .route('/', itemRoutes)
    .route('/', eventRoutes)
    .route('/', traceRoutes)
    .route('/', conversationFeedbackRoutes)
    .route('/', webhookRoutes(webhookAddresses ?? envWebhookAddresses()))
    .route('/', raterRoutes)
    .route('/', publicKeyRoutes)
    .route('/', auditRoutes)
    .route('/', settingsRoutes)
    .route('/', searchRoutes)
    .route('/', subjectRoutes)
    .route('/', insightsRoutes)
    .route('/', insightsSummaryRoutes)
    .route('/', calibrationRoutes)
    .route('/', siteRoutes)
    .route('/', exportRoutes)
    .route('/', queueRoutes)
    .route('/', feedbackLinkRoutes)
    .route('/', queueAgreementRoutes)
    .route('/', trainingRunRoutes)
    .route('/', connectRoutes);
  // Server-rendered pages with their own session auth, CSP and CSRF checks (not under /v1).
  app.route('/dashboard', dashboardRoutes({ rateLimits: limits.dashboard }));
  app.route('/', opsRoutes({ metricsPort: parseEnv().METRICS_PORT })); // /readyz, /metrics (issue 18)
  app.route('/', ratingLinkRoutes({ counters, trustProxy: proxies })); // /r/<secret>: the secret is the credential (issue 17)
  app.route('/', embedRoutes); // /embed.js, /embed.js.map, /embed/demo: no token, any origin (issue 17)

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
