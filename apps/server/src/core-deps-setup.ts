/**
 * The composition root's largest part: the core's dependencies (`CoreDeps`) made of the adapters slipwayd opened —
 * the store, the runtimes (traced when tracing is on), the edge's table, the sources, the builder, the probers, the
 * secret cipher, the settings drawn from the configuration — and of the parts each capability contributes (catalog,
 * git delivery, alerts, logs, metrics). `fleet` is read when first used: it is built around these.
 */
import { join } from 'node:path';
import {
  createAesGcmSecretCipher,
  createBuilder,
  createFsArtifactStore,
  createHealthProber,
  createMetricSource,
  createSourceFetcher,
  type MasterKeyring,
} from '@slipway/adapters';
import {
  createBackgroundSupervisor,
  createRuntimeSet,
  defaultCoreSettings,
  EventBus,
  type Clock,
  type CoreDeps,
  type Failpoint,
  type Fleet,
  type IdGenerator,
  type NotificationOutbox,
  type RouterTable,
  type RuntimeDriver,
  type Store,
} from '@slipway/core';
import { alertCoreDeps } from './alerts-setup.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { CatalogSetup } from './catalog-setup.js';
import type { ResolvedConfig } from './config.js';
import type { ContainerRuntimes } from './container-runtimes.js';
import { domainHttpsOf } from './domain-options.js';
import { gitCoreDeps } from './git-delivery-setup.js';
import { previewSettingsOf } from './git-previews.js';
import { forbiddenSourcePaths } from './local-sources.js';
import type { LogServices } from './logs-setup.js';
import type { SlipwaydMetrics } from './metrics/slipwayd-metrics.js';
import type { ProcessIsolation } from './process-isolation.js';
import type { ServerTracing } from './tracing/server-tracing.js';
import type { Logger as PinoLogger } from 'pino';

export interface CoreDepsParts {
  readonly config: ResolvedConfig;
  readonly logger: PinoLogger;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly keyring: MasterKeyring;
  readonly processRuntime: RuntimeDriver;
  readonly containers: ContainerRuntimes;
  readonly router: RouterTable;
  readonly isolation: ProcessIsolation;
  /** The static server static sites run (the one file of Slipway's own a sandbox sees). */
  readonly staticServerPath: string;
  readonly auditRecorder: AuditRecorder;
  readonly catalog: CatalogSetup;
  readonly metrics: SlipwaydMetrics;
  readonly notificationOutbox: NotificationOutbox;
  readonly logs: LogServices;
  readonly tracing: ServerTracing;
  readonly failpoint: Failpoint | undefined;
  readonly fleet: () => Fleet;
}

export function createCoreDeps(parts: CoreDepsParts): CoreDeps {
  const { config, logger, store, clock, containers, isolation, tracing, metrics, catalog, auditRecorder } = parts;
  const deps: CoreDeps = tracing.traceDeps({
    store,
    logs: parts.logs.services,
    runtimes: createRuntimeSet(tracing.traceDrivers({ process: parts.processRuntime, ...containers.drivers }), {
      callTimeoutMs: config.runtimeCallTimeoutMs,
    }),
    ...(containers.images === undefined ? {} : { images: containers.images }),
    router: parts.router,
    sources: createSourceFetcher({
      maxArchiveBytes: config.maxArchiveBytes,
      allowedPathRoots: config.sourcePathRoots,
      forbiddenPaths: forbiddenSourcePaths(config),
    }),
    builder: createBuilder({
      staticServerPath: parts.staticServerPath,
      ...(containers.engine === undefined ? {} : { docker: { engine: containers.engine } }),
      ...(isolation.sandbox === undefined ? {} : { sandbox: isolation.sandbox }),
      ...(config.buildCacheMaxBytes === 0
        ? {}
        : { cache: { rootDir: join(config.dataDir, 'cache', 'builds'), maxBytes: config.buildCacheMaxBytes } }),
    }),
    prober: createHealthProber(),
    metricSource: createMetricSource(),
    artifacts: createFsArtifactStore({ dataDir: config.dataDir }),
    clock,
    ids: parts.ids,
    logger,
    events: new EventBus(),
    secretCipher: createAesGcmSecretCipher({ keyring: parts.keyring }),
    // Names and versions only: the value never leaves the use case.
    onSecretChange: (change) => {
      const { app, environment, action, name, version } = change;
      logger.info({ app, environment, action, name, version }, 'secret changed');
      auditRecorder.onSecretChange(change);
    },
    settings: {
      ...defaultCoreSettings,
      nodeName: config.nodeName,
      defaultDomain: config.defaultDomain,
      domainHttps: domainHttpsOf(config),
      releaseRetention: config.releaseRetention,
      buildConcurrency: config.buildConcurrency,
      drainMs: config.drainMs,
      runtimeCallTimeoutMs: config.runtimeCallTimeoutMs,
      runtimeNamespace: containers.namespace,
      imageRegistries: config.imageRegistries,
      catalogAddresses: catalog.instanceAddresses,
      ...previewSettingsOf(config),
    },
    deliveryEvents: metrics.controlPlane.teeDeliveryEvents(parts.notificationOutbox),
    metrics: metrics.controlPlane,
    ...(parts.failpoint === undefined ? {} : { failpoint: parts.failpoint }),
    background: createBackgroundSupervisor(logger.child({ component: 'background' })),
    ...catalog.coreDeps,
    ...gitCoreDeps(config, logger, { deps: () => deps, fleet: parts.fleet }),
    ...alertCoreDeps(config),
  });
  return deps;
}
