/** The composition root: the only place that constructs adapters and wires them into the core and the HTTP API. */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import {
  formatListenAddress,
  createEdgeRouterTable,
  createJoseAccessTokenSigner,
  createNotifierSet,
  createProcessDriver,
  createRandomOpaqueTokens,
  createScryptPasswordHasher,
  createSortableIdGenerator,
  createSqliteStore,
  createSystemClock,
  loadMasterKeyring,
  lockDataDir,
} from '@slipway/adapters';
import { SlipwayError } from '@slipway/contract';
import {
  createAuditLog,
  createDeploymentRunner,
  createFleet,
  createJobWorker,
  createNotificationDispatcher,
  createNotificationOutbox,
  createReconciler,
  defaultNotificationDispatcherSettings,
  defaultIdentitySettings,
  type CoreDeps,
  type IdentityDeps,
} from '@slipway/core';
import { checkApiBinding, prepareTransport } from './api-transport.js';
import { startAlerts } from './alerts-setup.js';
import { createAuditRecorder } from './audit-recorder.js';
import { createCoreDeps } from './core-deps-setup.js';
import { createGitWebhooks } from './git-webhooks.js';
import { openCatalog } from './catalog-setup.js';
import { startAutoscaler } from './autoscale-setup.js';
import { startMetricSampler } from './metrics-history-setup.js';
import { startAuditRetention } from './audit-retention.js';
import { startGitDeliveryLoops } from './git-delivery-setup.js';
import { startContainerRuntimes } from './container-runtimes.js';
import type { ResolvedConfig } from './config.js';
import { edgeClientArgs } from './edge-client-options.js';
import { setupDomains } from './domains-setup.js';
import { startTracing } from './tracing/server-tracing.js';
import { startEdgeWatchdog } from './edge-watchdog.js';
import { failpointHookFrom } from './failpoints.js';
import { createHttpApp } from './http/http-app.js';
import { prepareIdentity } from './identity-setup.js';
import { createLogServices } from './logs-setup.js';
import { registerLocalServer } from './local-server-registration.js';
import { createMasterKeyRotation, finishPendingRotation } from './master-key-rotation.js';
import { createSlipwaydMetrics } from './metrics/slipwayd-metrics.js';
import { resolveProcessIsolation, type ProcessIsolation } from './process-isolation.js';
import { smtpRelayOf } from './smtp-relay.js';
import { stopEverything } from './stop-everything.js';

export const version = '0.1.0';

export interface Slipwayd {
  readonly app: FastifyInstance;
  readonly deps: CoreDeps;
  /** `http://host:port` of the API, or `https://…` when it is served over TLS. */
  readonly url: string;
  /** Orderly stop: refuses writes, checkpoints deployments, stops loops; the edge and app instances keep running. */
  close(): Promise<void>;
}

const assetPath = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export interface StartOptions {
  logger?: PinoLogger;
  /**
   * `SLIPWAY_FAILPOINTS` as given (a testing facility; see failpoints.ts), honoured by the test build only.
   * Errors: `VALIDATION_FAILED`.
   */
  failpoints?: string | undefined;
  /** `SLIPWAY_MASTER_KEY`: the master key itself (base64 of 32 bytes); the key file is used when absent. */
  masterKey?: string | undefined;
  /** `SLIPWAY_PREVIOUS_MASTER_KEYS`: keys being rotated away from; data keys under them are re-wrapped at start. */
  previousMasterKeys?: string | undefined;
  /** `SLIPWAY_SMTP_PASSWORD`: the SMTP relay's password, when no `smtp.passwordFile` is configured. */
  smtpPassword?: string | undefined;
  /**
   * Called when the API is asked to stop slipwayd (`POST /api/v1/system/stop`): the caller then calls `close()`,
   * which stops every app instance and the edge first when `scope` is `everything`.
   */
  onStopRequested?: ((scope: 'slipwayd' | 'everything') => void) | undefined;
}

export async function startSlipwayd(config: ResolvedConfig, options: StartOptions = {}): Promise<Slipwayd> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { node: config.nodeName } });
  // Failpoints exist in the test build only: the release bundle leaves their module out and ignores the variable.
  // Parsed before anything is started, so a typo fails the start instead of silently never firing.
  const failpoint = SLIPWAY_TEST_BUILD ? failpointHookFrom(options.failpoints, logger) : undefined;
  if (!SLIPWAY_TEST_BUILD && options.failpoints) {
    logger.warn('SLIPWAY_FAILPOINTS ignored: failpoints exist only in the test build (dist/slipwayd-test.mjs)');
  }
  if (checkApiBinding(config) === 'insecure-by-choice') {
    logger.warn(
      { api: config.api },
      'insecure: the API serves plain HTTP on a non-loopback address (--insecure-http-on-public-interface); ' +
        'passwords and tokens cross the network in clear',
    );
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const dataDirLock = await lockDataDir(config.dataDir);
  const releaseLock = (): Promise<void> => dataDirLock.release();
  const failReleasingLock = async (error: unknown): Promise<never> => {
    await releaseLock();
    throw error;
  };
  // Read before anything else is started, so a missing, malformed or exposed key fails the start cleanly.
  const keyring = await loadMasterKeyring({
    file: config.masterKeyFile ?? join(config.dataDir, 'master.key'),
    environmentKey: options.masterKey,
    previousEnvironmentKeys: options.previousMasterKeys,
  }).catch(failReleasingLock);
  // Read before anything is started too: a missing or mismatched certificate fails the start cleanly.
  const { apiCertificate, edgeTlsFlags, edgeTlsFiles } = await prepareTransport(config).catch(failReleasingLock);

  // Read before anything is started too: an unreadable password or CA file fails the start cleanly.
  const smtpRelay = await smtpRelayOf(config, options.smtpPassword).catch(failReleasingLock);

  logger.info(
    { source: keyring.source, masterKeyId: keyring.current().id, previous: keyring.previousIds() },
    'master key loaded',
  );
  const staticServerPath = assetPath('../../../packages/adapters/assets/static-server.mjs');
  let isolation: ProcessIsolation;
  try {
    // The static server (run by static sites) is the one file of Slipway's own that sandboxes must see.
    isolation = resolveProcessIsolation(config, [dirname(staticServerPath)], logger.child({ component: 'isolation' }));
  } catch (error) {
    await releaseLock();
    throw error;
  }

  const store = await createSqliteStore({ file: join(config.dataDir, 'slipway.db') });
  await store.migrate();
  const clock = createSystemClock();
  const audit = createAuditLog({ store, clock, logger: logger.child({ component: 'audit' }) });
  const auditRecorder = createAuditRecorder({
    audit,
    logger: logger.child({ component: 'audit' }),
    nowMs: () => clock.nowMs(),
  });
  const containers = await startContainerRuntimes(config, logger);
  const catalog = await openCatalog(config, { clock, logger, version, store, containers });
  const tracing = await startTracing(config, version, logger.child({ component: 'tracing' }));
  const runtime = createProcessDriver({
    stateDir: join(config.dataDir, 'instances'),
    portRange: config.instancePorts,
    host: '127.0.0.1',
    ...(isolation.sandbox === undefined ? {} : { sandbox: isolation.sandbox }),
    logger: logger.child({ component: 'runtime' }),
  });
  const router = createEdgeRouterTable({
    stateDir: join(config.dataDir, 'edge'),
    listen: config.edge,
    edgeEntry: assetPath('../../edge/dist/edge.mjs'),
    logger: logger.child({ component: 'edge' }),
    edgeArgs: [
      ...(config.edgeWorkers === 1 ? [] : ['--workers', String(config.edgeWorkers)]),
      ...edgeTlsFlags,
      ...edgeClientArgs(config),
      ...tracing.edgeArgs,
    ],
    settingFiles: edgeTlsFiles,
  });
  await router.ensureRunning();

  const ids = createSortableIdGenerator();
  const notificationLogger = logger.child({ component: 'notifications' });
  // Delivery events are stored in the outbox as they are published; the dispatcher (started below) sends them.
  const notificationOutbox = createNotificationOutbox(
    { store, ids, clock, logger: notificationLogger },
    { onStored: () => notificationDispatcher.poke() },
  );
  const metrics = createSlipwaydMetrics({ store, router, registries: [catalog.metrics.registry] });
  const logs = createLogServices({ store, clock, logger, drainHooks: metrics.logDrains }, config);
  const deps: CoreDeps = createCoreDeps({
    config,
    logger,
    store,
    clock,
    ids,
    keyring,
    processRuntime: runtime,
    containers,
    router,
    isolation,
    staticServerPath,
    auditRecorder,
    catalog,
    metrics,
    notificationOutbox,
    logs,
    tracing,
    failpoint,
    fleet: () => fleet,
  });
  const notificationDispatcher = createNotificationDispatcher(
    { store, clock, logger: notificationLogger, secretCipher: deps.secretCipher },
    createNotifierSet({ clock, smtp: smtpRelay }),
    { ...defaultNotificationDispatcherSettings, retryDelaysMs: config.notificationRetryDelaysMs },
  );
  const domains = await setupDomains(config, deps, router, () => fleet.router.sync()).catch(async (error: unknown) => {
    await store.close();
    return failReleasingLock(error);
  });
  const masterKeyRotation = createMasterKeyRotation(deps, keyring);
  await finishPendingRotation(masterKeyRotation, keyring, auditRecorder.onSecurityEvent).catch(
    async (error: unknown) => {
      await store.close();
      return failReleasingLock(error);
    },
  );
  const identity: IdentityDeps = {
    store,
    clock: deps.clock,
    ids: deps.ids,
    logger: logger.child({ component: 'identity' }),
    passwords: createScryptPasswordHasher(),
    tokens: createRandomOpaqueTokens(),
    signer: createJoseAccessTokenSigner({
      store,
      clock: deps.clock,
      ids: deps.ids,
      ttlMs: defaultIdentitySettings.accessTokenTtlMs,
    }),
    settings: defaultIdentitySettings,
    onSecurityEvent: catalog.chainSecurityEvents(auditRecorder.onSecurityEvent),
  };
  await prepareIdentity(identity, config.dataDir);
  const fleet = createFleet(deps);
  const reconciler = createReconciler(deps, fleet);
  const worker = createJobWorker(deps, createDeploymentRunner(deps, fleet));
  const webhookLogger = logger.child({ component: 'webhooks' });
  const onHandled = metrics.controlPlane.webhookEventHandled;
  const gitWebhooks = createGitWebhooks(deps, { nodeName: config.nodeName, logger: webhookLogger, onHandled });

  let isShuttingDown = false;
  let stopScope: 'slipwayd' | 'everything' = 'slipwayd';
  const apiUrlOf = (port: number): string =>
    `${apiCertificate === undefined ? 'http' : 'https'}://${formatListenAddress({ host: config.api.host, port })}`;
  // The configured address until the server listens (port 0 becomes the port it was given).
  let url = apiUrlOf(config.api.port);
  // Ends open event and log streams at shutdown; their clients reconnect to the next slipwayd.
  const shutdown = new AbortController();
  const app = await createHttpApp(
    {
      deps,
      fleet,
      worker,
      identity,
      masterKeyRotation,
      audit,
      auditRecorder,
      config,
      version,
      startedAtMs: Date.now(),
      isShuttingDown: () => isShuttingDown,
      apiUrl: () => url,
      shutdownSignal: shutdown.signal,
      processIsolation: isolation.view,
      catalog: catalog.catalog,
      catalogAccess: catalog,
      catalogAddresses: catalog.addresses,
      webhookIntake: gitWebhooks.intake,
      domains,
      metrics,
      tracing,
      requestStop: (scope) => {
        if (scope === 'everything') stopScope = scope;
        options.onStopRequested?.(scope);
      },
    },
    logger.child({ component: 'api' }),
    apiCertificate === undefined ? {} : { tls: { cert: apiCertificate.cert, key: apiCertificate.key } },
  );
  // Re-adopt what runs before taking work: the first pass marks dead instances, keeps live ones, re-sends routes.
  await reconciler.reconcile();
  reconciler.start();
  domains.manager.start();
  worker.start();
  const autoscaler = startAutoscaler(deps, { intervalMs: config.autoscaleIntervalMs });
  const metricSampler = startMetricSampler(deps, config);
  const logLoops = logs.start(deps);
  const gitLoops = await startGitDeliveryLoops({ deps, config, clock, logger, webhooks: gitWebhooks });
  // Deliveries left pending by the last slipwayd (a retry due, an attempt cut short by a stop) go out from here.
  notificationDispatcher.start();
  const alerts = startAlerts({
    deps,
    config,
    logger: logger.child({ component: 'alerts' }),
    onQueued: () => notificationDispatcher.poke(),
  });
  const auditRetention = startAuditRetention({
    audit,
    retentionDays: config.auditRetentionDays,
    logger: logger.child({ component: 'audit' }),
  });
  const watchdog = startEdgeWatchdog({
    router,
    resync: () => domains.manager.resend().then(() => fleet.router.sync(true)),
    logger: logger.child({ component: 'edge-watchdog' }),
    initialPid: (await router.status()).pid,
  });
  try {
    await catalog.serve(identity);
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (error) {
    await Promise.all([
      worker.stop(),
      domains.manager.stop(),
      autoscaler.stop(),
      metricSampler.stop(),
      reconciler.stop(),
      watchdog.stop(),
      auditRetention.stop(),
      gitLoops.stop(),
      alerts.stop(),
      logLoops.stop(),
      catalog.close(),
    ]);
    await notificationOutbox.idle();
    await notificationDispatcher.stop();
    await store.close();
    await releaseLock();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new SlipwayError(
        'PORT_UNAVAILABLE',
        `the API address ${config.api.host}:${config.api.port} is in use: stop what holds it or pass --api HOST:PORT`,
      );
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  url = apiUrlOf(port);
  await registerLocalServer({
    apiUrl: url,
    dataDir: config.dataDir,
    pid: process.pid,
    env: process.env,
    nowIso: new Date(clock.nowMs()).toISOString(),
    logger,
  });
  logger.info({ url, edge: formatListenAddress(config.edge), dataDir: config.dataDir }, 'slipwayd ready');

  return {
    app,
    deps,
    url,
    async close() {
      if (isShuttingDown) return;
      isShuttingDown = true;
      logger.info({}, 'slipwayd shutting down');
      shutdown.abort();
      // Running deployments stop at their next checkpoint (a build is killed, a rollout step ends) and their
      // jobs go back to the queue; the next slipwayd resumes them.
      await worker.stop();
      await gitLoops.stop();
      await Promise.all([
        autoscaler.stop(),
        metricSampler.stop(),
        reconciler.stop(),
        watchdog.stop(),
        auditRetention.stop(),
        domains.manager.stop(),
        alerts.stop(),
        logLoops.stop(),
      ]);
      await fleet.background.stop();
      // Events published until now are in the outbox before the store closes; attempts under way are cut short and
      // are due again on the next start.
      await notificationOutbox.idle();
      await notificationDispatcher.stop();
      // Asked for on purpose only: an ordinary stop leaves the apps and the edge serving, to be re-adopted.
      if (stopScope === 'everything') await stopEverything({ runtimes: deps.runtimes, edge: router, logger });
      await app.close();
      await catalog.close();
      await auditRecorder.flush();
      await runtime.close();
      await tracing.shutdown();
      await store.close();
      await releaseLock();
    },
  };
}
