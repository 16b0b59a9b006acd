/** Builds the Fastify app: request ids, the error model, write refusal during shutdown, and the route plugins. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { ReleaseSummaries, type AppsOverviewDeps } from '@slipway/core';
import { installAudit } from './audit/audit-hooks.js';
import { installAuth } from './auth/auth-hooks.js';
import { installGitHttp } from '../git-http/git-http-setup.js';
import { installDashboard } from './dashboard-assets.js';
import { installErrorHandling } from './error-handler.js';
import { installRateLimits } from './rate-limit/rate-limit-hooks.js';
import { clientErrorHandler, frameworkErrorHandler, installRequestLimits, requestLimits } from './request-limits.js';
import { installOpenApi } from './openapi.js';
import { registerRouteGroup } from './route-declaration.js';
import { requestIdOf } from './request-id.js';
import { routeGroups } from './route-table.js';
import { installSecureHeaders } from './secure-headers.js';
import type { RouteContext, ServerContext } from './server-context.js';
import { installStreamLimit } from './sse.js';
import { createLiveHub } from './live/live-hub.js';
import { liveStreamSettings } from './live/live-stream-routes.js';
import { createTopicWatcherFactory } from './live/live-topics.js';
import { zodSerializerCompiler, zodValidatorCompiler } from './zod-compilers.js';

/** How the API is served: over TLS with this certificate and key (PEM), or plain HTTP when absent. */
export interface HttpTransport {
  readonly tls?: { readonly cert: string; readonly key: string };
}

export async function createHttpApp(
  context: ServerContext,
  logger: FastifyBaseLogger,
  transport: HttpTransport = {},
): Promise<FastifyInstance> {
  const { tls } = transport;
  const app = Fastify({
    // An https server is an http server to Fastify's handler; typed as one so the app's type stays the same.
    serverFactory: (handler) =>
      tls === undefined
        ? createHttpServer({ maxHeaderSize: requestLimits.headerBytes }, handler)
        : (createHttpsServer(
            { cert: tls.cert, key: tls.key, maxHeaderSize: requestLimits.headerBytes, minVersion: 'TLSv1.2' },
            handler,
          ) as unknown as Server),
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    loggerInstance: logger,
    genReqId: requestIdOf,
    requestIdHeader: false,
    bodyLimit: requestLimits.jsonBodyBytes,
    // Requests are logged once, by the onResponse hook below, without the health probes' noise.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: requestLimits.paramBytes },
  });
  // First: the request's span is active for every other hook and the handler.
  context.tracing?.installApi(app);
  // Route schemas are zod schemas: requests are parsed with them before the handler runs.
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  installErrorHandling(app);
  installSecureHeaders(app, { corsOrigins: context.config.corsOrigins, isTls: tls !== undefined });
  installRequestLimits(app);
  // The dashboard's session travels in cookies (auth/web-session-cookies.ts).
  await app.register(fastifyCookie);
  installStreamLimit(app, requestLimits.streamsPerClient, { stallTimeoutMs: context.config.streamStallTimeoutMs });
  // The API speaks JSON (the archive upload's group adds its own media types); anything else is refused with
  // UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
    if (context.isShuttingDown() && request.method !== 'GET' && request.method !== 'HEAD') {
      throw new SlipwayError('SHUTTING_DOWN', 'slipwayd is shutting down; retry in a few seconds');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    context.metrics?.api.observe({
      method: request.method,
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    if (request.url.startsWith('/api/')) {
      request.log.info(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
    }
  });
  // Before any route: it refuses routes that declare no permission, and guards every request.
  const rateLimits = installRateLimits(app, {
    config: context.config.rateLimits,
    nowMs: () => context.deps.clock.nowMs(),
  });
  installAuth(app, context.identity);
  installAudit(app, context);
  await installOpenApi(app, context.version);
  const appsOverview: AppsOverviewDeps = {
    store: context.deps.store,
    settings: context.deps.settings,
    clock: context.deps.clock,
    observations: (instanceId) => context.fleet.health.observation(instanceId),
    releases: new ReleaseSummaries(),
  };
  const liveHub = createLiveHub({
    limits: liveStreamSettings,
    createWatcher: createTopicWatcherFactory({
      deps: context.deps,
      overview: appsOverview,
      audit: context.audit,
      catalog: context.catalog,
      catalogAccess: context.catalogAccess,
      stateIntervalMs: liveStreamSettings.stateIntervalMs,
      appsIntervalMs: liveStreamSettings.appsIntervalMs,
      pollMs: liveStreamSettings.pollMs,
    }),
  });
  app.addHook('onClose', async () => liveHub.close());
  const routeContext: RouteContext = { ...context, rateLimits, liveHub, appsOverview };
  for (const group of routeGroups) registerRouteGroup(app, group, routeContext);
  // git's smart HTTP at /git/<app>.git: outside the route table (HTTP Basic, a role per git service).
  installGitHttp(app, routeContext);
  // The web dashboard at `/` (every path the API does not own).
  await installDashboard(app, context.config.webDir);
  await app.ready();
  return app;
}
