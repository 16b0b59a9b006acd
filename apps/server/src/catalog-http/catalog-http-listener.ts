/**
 * Starts the catalog's HTTP API on `--catalog-http` with every route group; an address in use is a startup error
 * naming the flag.
 */
import type { RequestBodyBudget } from './request-body-budget.js';
import { SlipwayError } from '@slipway/contract';
import type { CatalogAccess } from '@slipway/core';
import { agentCheckRoutes } from './agent-check-routes.js';
import { agentServiceRoutes } from './agent-service-routes.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { catalogRequestLimits, createCatalogHttpServer } from './catalog-http-server.js';
import { catalogRoutes } from './catalog-routes.js';
import type { CatalogRoute } from './catalog-route.js';
import { healthRoutes } from './health-routes.js';
import { kvRoutes } from './kv-routes.js';
import { sessionRoutes } from './session-routes.js';
import { snapshotRoutes, type CatalogSnapshotCodec } from './snapshot-routes.js';
import { statusRoutes } from './status-routes.js';
import { txnRoutes } from './txn-routes.js';
import type { FastifyInstance } from 'fastify';

export interface CatalogHttpOptions {
  readonly env: CatalogHttpEnv;
  readonly access: CatalogAccess;
  readonly snapshots: CatalogSnapshotCodec;
  /** Request bodies held at once (default 64 MiB). */
  readonly bodyBudget?: RequestBodyBudget;
}

export interface CatalogHttp {
  readonly app: FastifyInstance;
  /** `host:port` it listens on (the port it was given for port 0). */
  readonly address: string;
  /** Stops listening; open blocking queries are answered first (the catalog's close wakes them). */
  close(): Promise<void>;
}

/** Every route of the API. */
export function catalogHttpRoutes(env: CatalogHttpEnv, snapshots: CatalogSnapshotCodec): CatalogRoute[] {
  return [
    ...kvRoutes(env),
    ...txnRoutes(env),
    ...sessionRoutes(env),
    ...agentServiceRoutes(env),
    ...agentCheckRoutes(env),
    ...catalogRoutes(env),
    ...healthRoutes(env),
    ...statusRoutes(env),
    ...snapshotRoutes(env, snapshots),
  ];
}

/** Builds the API without listening (tests inject requests into it, or listen on port 0). */
export function buildCatalogHttp(options: CatalogHttpOptions): FastifyInstance {
  return createCatalogHttpServer({
    env: options.env,
    access: options.access,
    routes: catalogHttpRoutes(options.env, options.snapshots),
    largeBodyPaths: { '/v1/snapshot': catalogRequestLimits.snapshotBytes },
    ...(options.bodyBudget === undefined ? {} : { bodyBudget: options.bodyBudget }),
  });
}

const formatHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

export async function startCatalogHttp(
  options: CatalogHttpOptions,
  listen: { host: string; port: number },
): Promise<CatalogHttp> {
  const app = buildCatalogHttp(options);
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new SlipwayError(
        'PORT_UNAVAILABLE',
        `the catalog HTTP address ${formatHostPort(listen.host, listen.port)} is unavailable (${code}): stop what holds it or pass --catalog-http HOST:PORT (or off)`,
      );
    }
    throw error;
  }
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : listen.port;
  return {
    app,
    address: formatHostPort(listen.host, port),
    close: () => app.close(),
  };
}
