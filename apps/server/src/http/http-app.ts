/** Builds the Fastify app: request ids, the error model, write refusal during shutdown, and the route plugins. */
import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { installAuth } from './auth/auth-hooks.js';
import { installErrorHandling } from './error-handler.js';
import { appRoutes } from './routes/app-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { secretRoutes } from './routes/secret-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';
import type { ServerContext } from './server-context.js';

export async function createHttpApp(context: ServerContext, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // Requests are logged once, by the onResponse hook below, without the health probes' noise.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  });
  installErrorHandling(app);
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
  installAuth(app, context.identity);
  systemRoutes(app, context);
  authRoutes(app, context.identity);
  tokenRoutes(app, context.identity);
  userRoutes(app, context.identity);
  appRoutes(app, context);
  deploymentRoutes(app, context);
  secretRoutes(app, context);
  await app.ready();
  return app;
}
