/**
 * The composition of everything catalog: its own store (`<dataDir>/catalog.db`), the engine, access by Slipway's
 * tokens and the catalog's ACL rules, the check scheduler, the metrics, the HTTP API on `--catalog-http` and DNS on
 * `--dns`. Opened before the core (the engine serves the registration of Slipway's instances), served once identity
 * exists, closed in order: listeners, checks, engine (its waiters answered), store.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { createCatalogCheckRunner, createSqliteCatalogStore } from '@slipway/adapters';
import { decodeCatalogSnapshot, encodeCatalogSnapshot, SlipwayError } from '@slipway/contract';
import {
  createCatalog,
  createCatalogAccess,
  createCheckScheduler,
  createInstanceRegistration,
  type CatalogAccessService,
  type CatalogAuthority,
  type CatalogEngine,
  type CheckScheduler,
  type Clock,
  type IdentityDeps,
  type InstanceRegistration,
  type Principal,
  type SecurityEvent,
  type SecurityEventSink,
  type Store,
} from '@slipway/core';
import type { DockerEngine } from '@slipway/adapters';
import { startCatalogHttp, type CatalogHttp } from './catalog-http/catalog-http-listener.js';
import { catalogInstanceAddresses } from './catalog-instance-addresses.js';
import { createCatalogMetrics, type CatalogMetrics } from './catalog-metrics.js';
import { startCatalogDns, type CatalogDnsServer } from './catalog-dns/start-catalog-dns.js';
import type { ResolvedConfig } from './config.js';

/** Where a client reaches the catalog (slipwayd's system info answers them; null when a listener is off). */
export interface CatalogAddresses {
  http: string | null;
  dns: string | null;
  datacenter: string;
}

export interface CatalogSetup {
  readonly catalog: CatalogEngine;
  readonly metrics: CatalogMetrics;
  /** The registration of Slipway's instances, for `CoreDeps.instanceCatalog`. */
  readonly coreDeps: { readonly instanceCatalog: InstanceRegistration };
  /** Where instances reach the catalog, by runtime name, for `CoreSettings.catalogAddresses`. */
  readonly instanceAddresses: Readonly<Record<string, string>>;
  readonly addresses: () => CatalogAddresses;
  /** `sink`, then the catalog's access (which forgets resolved tokens on any security event). */
  chainSecurityEvents(sink: SecurityEventSink): SecurityEventSink;
  /**
   * The catalog authority of a caller the API authenticated (the dashboard's catalog routes, the live `catalog`
   * topic): the same rules and evaluation as the Consul API's. Errors: `CATALOG_DISABLED` before `serve`.
   */
  authorizePrincipal(principal: Principal): Promise<CatalogAuthority>;
  /** Starts access, checks and the listeners. Errors: `PORT_UNAVAILABLE` naming the flag of an address in use. */
  serve(identity: IdentityDeps): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

const wildcardHosts = new Set(['0.0.0.0', '::', '']);
const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The node's address: the catalog's listening host unless it listens on every interface. */
function nodeAddressOf(config: ResolvedConfig): string {
  const listen = config.catalogHttp === 'off' ? undefined : config.catalogHttp;
  return listen === undefined || wildcardHosts.has(listen.host) ? '127.0.0.1' : listen.host;
}

export interface CatalogBase {
  clock: Clock;
  logger: FastifyBaseLogger;
  version: string;
  /** The main store (instances, apps, releases) the registration of instances reads. */
  store: Store;
  containers: { drivers: Readonly<Record<string, unknown>>; engine: DockerEngine | undefined };
}

export async function openCatalog(config: ResolvedConfig, base: CatalogBase): Promise<CatalogSetup> {
  const logger = base.logger.child({ component: 'catalog' });
  const store = await createSqliteCatalogStore({ file: join(config.dataDir, 'catalog.db') });
  let catalog: CatalogEngine;
  try {
    catalog = await createCatalog({
      store,
      clock: base.clock,
      logger,
      datacenter: config.datacenter,
      node: { name: config.nodeName, address: nodeAddressOf(config) },
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const metrics = createCatalogMetrics(catalog);
  const registration = createInstanceRegistration({
    catalog,
    store: base.store,
    clock: base.clock,
    logger: logger.child({ component: 'catalog-instances' }),
  });
  const instanceAddresses = await catalogInstanceAddresses(
    config.catalogHttp,
    { runtimes: Object.keys(base.containers.drivers), engine: base.containers.engine },
    logger,
  );
  let access: CatalogAccessService | undefined;
  let scheduler: CheckScheduler | undefined;
  let http: CatalogHttp | undefined;
  let dns: CatalogDnsServer | undefined;
  let closing: Promise<void> | undefined;

  const addresses = (): CatalogAddresses => ({
    http: http?.address ?? null,
    dns: dns === undefined ? null : hostPort(dns.host, dns.port),
    datacenter: config.datacenter,
  });
  const close = async (): Promise<void> => {
    // The registration's pass first (it writes), DNS (it reads the engine), HTTP (its close answers open blocking
    // queries), then checks and the engine.
    await registration.close();
    await dns?.close();
    await http?.close();
    await scheduler?.close();
    await catalog.close();
    await store.close();
  };

  return {
    catalog,
    metrics,
    coreDeps: { instanceCatalog: registration },
    instanceAddresses,
    addresses,
    chainSecurityEvents: (sink) => (event: SecurityEvent) => {
      sink(event);
      access?.onSecurityEvent(event);
    },
    authorizePrincipal(principal) {
      if (access === undefined) throw new SlipwayError('CATALOG_DISABLED', 'the catalog is not serving yet');
      return access.authorizePrincipal(principal);
    },
    async serve(identity) {
      access = createCatalogAccess({ identity, anonymousRead: config.catalogAnonymousRead });
      scheduler = createCheckScheduler({
        catalog,
        runner: createCatalogCheckRunner(),
        clock: base.clock,
        logger: logger.child({ component: 'catalog-checks' }),
        isScriptChecksEnabled: config.enableScriptChecks,
      });
      if (config.catalogHttp !== 'off') {
        const { host, port } = config.catalogHttp;
        http = await startCatalogHttp(
          {
            env: {
              catalog,
              datacenter: config.datacenter,
              serverAddress: `${catalog.node.address}:8300`,
              version: base.version,
              isScriptChecksEnabled: config.enableScriptChecks,
              logger: logger.child({ component: 'catalog-http' }),
              metrics,
            },
            access,
            snapshots: { encode: encodeCatalogSnapshot, decode: decodeCatalogSnapshot },
          },
          { host, port },
        );
      }
      if (config.dns !== 'off') {
        dns = await startCatalogDns({
          host: config.dns.host,
          port: config.dns.port,
          catalog,
          clock: base.clock,
          logger: logger.child({ component: 'catalog-dns' }),
          anonymousRead: config.catalogAnonymousRead,
          onQuery: (event) => metrics.dnsQuery(event),
        });
      }
      logger.info({ ...addresses() }, 'catalog serving');
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
