/**
 * A catalog API for tests: the real engine on the memory store, the real authority evaluation, listening on a free
 * loopback port. Tokens: `admin` (everything), `reader` (reads of every key and service), none (anonymous health
 * reads), anything else refused as `ACL not found`.
 */
import { SlipwayError } from '@slipway/contract';
import { createSystemClock } from '@slipway/adapters';
import { decodeCatalogSnapshot, encodeCatalogSnapshot } from '@slipway/contract';
import {
  createCatalog,
  createCatalogAuthority,
  type CatalogAccess,
  type CatalogEngine,
  type CatalogStore,
} from '@slipway/core';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { startCatalogHttp, type CatalogHttp } from './catalog-http-listener.js';
import type { RequestBodyBudget } from './request-body-budget.js';

export interface CatalogTestServer {
  readonly catalog: CatalogEngine;
  readonly http: CatalogHttp;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

const testAccess: CatalogAccess = {
  authorize(token) {
    if (token === undefined) {
      return Promise.resolve(
        createCatalogAuthority({
          actor: 'anonymous',
          isAuthenticated: false,
          isAdmin: false,
          mayWrite: false,
          rules: [],
          anonymousRead: 'health',
        }),
      );
    }
    if (token === 'admin' || token === 'reader') {
      return Promise.resolve(
        createCatalogAuthority({
          actor: token,
          isAuthenticated: true,
          isAdmin: token === 'admin',
          mayWrite: token === 'admin',
          rules: [
            { resource: 'key', prefix: '', policy: 'read' },
            { resource: 'service', prefix: '', policy: 'read' },
          ],
          anonymousRead: 'health',
        }),
      );
    }
    return Promise.reject(new SlipwayError('CATALOG_ACL_NOT_FOUND', 'ACL not found'));
  },
};

/** `store`: the tests' catalog store (the memory one of `@slipway/testkit`, which only tests may import). */
export async function startCatalogTestServer(
  store: CatalogStore,
  options: { isScriptChecksEnabled?: boolean; logger?: FastifyBaseLogger; bodyBudget?: RequestBodyBudget } = {},
): Promise<CatalogTestServer> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const catalog = await createCatalog({
    store,
    clock: createSystemClock(),
    logger,
    datacenter: 'dc1',
    node: { name: 'node-a', address: '127.0.0.1' },
  });
  const http = await startCatalogHttp(
    {
      env: {
        catalog,
        datacenter: 'dc1',
        serverAddress: '127.0.0.1:8300',
        version: 'test',
        isScriptChecksEnabled: options.isScriptChecksEnabled ?? false,
        logger,
      },
      access: testAccess,
      snapshots: { encode: encodeCatalogSnapshot, decode: decodeCatalogSnapshot },
      ...(options.bodyBudget === undefined ? {} : { bodyBudget: options.bodyBudget }),
    },
    { host: '127.0.0.1', port: 0 },
  );
  const url = `http://${http.address}`;
  return {
    catalog,
    http,
    url,
    request(path, init = {}) {
      const { token = 'admin', ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== '') headers.set('x-consul-token', token);
      return fetch(`${url}${path}`, { ...rest, headers });
    },
    async close() {
      await catalog.close();
      await http.close();
    },
  };
}
