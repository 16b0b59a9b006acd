/** Builds the Fastify app: request ids, the error model, write refusal during shutdown, and the route plugins. */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { installAudit } from './audit/audit-hooks.js';
import { installAuth } from './auth/auth-hooks.js';
import { installErrorHandling } from './error-handler.js';
import { installRateLimits } from './rate-limit/rate-limit-hooks.js';
import { clientErrorHandler, frameworkErrorHandler, installRequestLimits, requestLimits } from './request-limits.js';
import { appRoutes } from './routes/app-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { secretRoutes } from './routes/secret-routes.js';
import { hostRoutes } from './routes/host-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { installSecureHeaders } from './secure-headers.js';
import type { ServerContext } from './server-context.js';
import { installStreamLimit } from './sse.js';

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
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    requestIdHeader: false,
    bodyLimit: requestLimits.jsonBodyBytes,
    // Requests are logged once, by the onResponse hook below, without the health probes' noise.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: requestLimits.paramBytes },
  });
  installErrorHandling(app);
  installSecureHeaders(app, { corsOrigins: context.config.corsOrigins, isTls: tls !== undefined });
  installRequestLimits(app);
  installStreamLimit(app, requestLimits.streamsPerClient);
  // The API speaks JSON (and gzip for archive uploads); anything else is refused with UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
    if (context.isShuttingDown() && request.method !== 'GET' && request.method !== 'HEAD') {
      throw new SlipwayError('SHUTTING_DOWN', 'slipwayd is shutting down; retry in a few seconds');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/api/')) {
      request.log.info(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
    }
  });
  // Before any route: it refuses routes missing from the permission table, and guards every request.
  installRateLimits(app, { config: context.config.rateLimits, nowMs: () => context.deps.clock.nowMs() });
  installAuth(app, context.identity);
  installAudit(app, context);
  systemRoutes(app, context);
  authRoutes(app, context.identity);
  tokenRoutes(app, context.identity);
  userRoutes(app, context.identity);
  appRoutes(app, context);
  deploymentRoutes(app, context);
  secretRoutes(app, context);
  imageRoutes(app, context);
  hostRoutes(app, context);
  await app.ready();
  return app;
}
