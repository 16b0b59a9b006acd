/**
 * Wires a `CoreDeps` for core tests from real adapters (in-memory SQLite, file system artifacts, path sources, the
 * procfile builder, the HTTP health prober, the system clock) around the fake runtime driver and a recording router.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createAesGcmSecretCipher,
  createBuilder,
  createFsArtifactStore,
  createHealthProber,
  createSortableIdGenerator,
  createSourceFetcher,
  createSqliteStore,
  createSystemClock,
  createMemoryMasterKeyring,
  type MasterKeyring,
} from '@slipway/adapters';
import {
  createApp,
  createDeploymentRunner,
  createFleet,
  createRuntimeSet,
  createReconciler,
  defaultCoreSettings,
  EventBus,
  getAppScope,
  requestDeployment,
  type ControlPlaneMetrics,
  type CoreDeps,
  type CoreSettings,
  type DeploymentRecord,
  type DeploymentRunner,
  type Fleet,
  type InstanceCatalogHooks,
  type InstanceRecord,
  type InstanceSpec,
  type Reconciler,
  type RolloutRecord,
  type Store,
} from '@slipway/core';
import {
  createFakeRuntimeDriver,
  createFakeRuntimeWorld,
  silentLogger,
  type FakeRuntimeDriver,
  type FakeRuntimeWorld,
} from '@slipway/testkit';

/** One observable step, in the order it happened: a table the router got, or a runtime call. */
export { createRecordingRouterTable, type HarnessStep, type RecordingRouterTable } from './recording-router-table.js';
import { createRecordingRouterTable, type HarnessStep, type RecordingRouterTable } from './recording-router-table.js';
/** Settings small enough that a deployment takes well under a second. */
export const fastCoreSettings: CoreSettings = {
  ...defaultCoreSettings,
  drainMs: 10,
  jobLeaseMs: 2_000,
  reconcileIntervalMs: 50,
  restartBackoffBaseMs: 20,
  restartBackoffMaxMs: 1_000,
  settleMs: 100,
};

/** Health check lines under `processes.web`: probed every 50 ms, failures ignored for a start period of 10 s. */
function healthCheckYaml(type: 'http' | 'exec'): string[] {
  const probe =
    type === 'http'
      ? ['      type: http', '      path: /']
      : ['      type: exec', `      command: ${execCheckCommand}`];
  return [
    '    healthCheck:',
    ...probe,
    '      intervalSeconds: 0.05',
    '      timeoutSeconds: 2',
    '      retries: 3',
    '      startPeriodSeconds: 10',
  ];
}

/** The command of the exec health check `webSource({ healthCheck: 'exec' })` writes; answer it with `setExecHandler`. */
export const execCheckCommand = 'check-health';

export interface WebSourceOptions {
  /** The `web` command in the Procfile; default `fake:http-server`. */
  command?: string;
  /** `http` (default) probes the fake's server; `exec` lets the test decide through the fake's exec handler. */
  healthCheck?: 'http' | 'exec';
  replicas?: number;
  /** More top-level `slipway.yaml` (strategy, env, routes). */
  manifestYaml?: string;
}

export interface ControlPlane {
  readonly deps: CoreDeps;
  /** This control plane's driver object; its `startedSpecs()` lists only what this control plane started. */
  readonly runtime: FakeRuntimeDriver;
  readonly fleet: Fleet;
  readonly reconciler: Reconciler;
  readonly runner: DeploymentRunner;
  /** Stops the reconciler loop and waits for probes in flight; instances keep running, as after a crash. */
  stop(): Promise<void>;
}

export interface CoreHarness extends ControlPlane {
  readonly store: Store;
  readonly router: RecordingRouterTable;
  readonly world: FakeRuntimeWorld;
  readonly dataDir: string;
  /** The master keys the secret cipher holds (in memory); rotate them with `beginRotation`/`completeRotation`. */
  readonly keyring: MasterKeyring;
  /** Router applies and runtime calls of every control plane, in order. */
  readonly steps: HarnessStep[];
  /** Writes a source tree (file name → content) to a new directory and returns its absolute path. */
  writeSource(files: Record<string, string>): Promise<string>;
  /** A source with a `Procfile` `web: <command>` and a `slipway.yaml` with a fast health check. */
  webSource(options?: WebSourceOptions): Promise<string>;
  /** Creates the app (project `default`) with its `production` environment. */
  createApp(name: string): Promise<void>;
  /** Requests a deploy of a directory and runs it to its end; returns the stored deployment. */
  deploy(app: string, sourceDir: string): Promise<DeploymentRecord>;
  /** Runs a requested deployment to its end and returns the stored record. */
  runToEnd(deploymentId: string): Promise<DeploymentRecord>;
  /** Instance records of an app in production. */
  instancesOf(app: string): Promise<InstanceRecord[]>;
  /** A second control plane over the same store, router and runtime world, with a new driver object: a restart. */
  restartControlPlane(): ControlPlane;
  /** Stops every control plane, removes every instance, closes the store and deletes the data dir. */
  close(): Promise<void>;
}

export interface CoreHarnessOptions {
  settings?: Partial<CoreSettings>;
  /** Start the reconciler loop at once (default true); tests of single passes call `reconciler.reconcile()`. */
  isReconcilerRunning?: boolean;
  /** Ports of the fake's instances; default: a range of 200 per Vitest worker, so parallel files never share one. */
  portRange?: { from: number; to: number };
  /** The catalog's registration of instances (`CoreDeps.instanceCatalog`), made once from the harness's store. */
  instanceCatalog?: (store: Store) => InstanceCatalogHooks;
  /** What the core measures (`CoreDeps.metrics`). */
  metrics?: ControlPlaneMetrics;
}

const staticServerPath = fileURLToPath(new URL('../../packages/adapters/assets/static-server.mjs', import.meta.url));

/**
 * Test port ranges stay below the kernel's ephemeral range (32768–60999 on Linux), where any outgoing
 * connection may take a port: 22xxx driver tests, 23000–26999 core harness, 27000–31999 end-to-end slipwayd.
 */
function defaultPortRange(): { from: number; to: number } {
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  const from = 23_000 + ((Number.isInteger(pool) && pool > 0 ? pool - 1 : 0) % 20) * 200;
  return { from, to: from + 199 };
}

export async function createCoreHarness(options: CoreHarnessOptions = {}): Promise<CoreHarness> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-core-'));
  const dataDir = join(root, 'data');
  await mkdir(dataDir, { recursive: true });
  const store = await createSqliteStore({ file: ':memory:' });
  await store.migrate();
  const steps: HarnessStep[] = [];
  const router = createRecordingRouterTable((table) =>
    steps.push({ kind: 'apply', upstreamIds: table.routes.flatMap((r) => r.upstreams.map((u) => u.instanceId)) }),
  );
  const world = createFakeRuntimeWorld();
  const portRange = options.portRange ?? defaultPortRange();
  const settings: CoreSettings = { ...fastCoreSettings, ...options.settings };
  const keyring = createMemoryMasterKeyring();
  const shared = {
    store,
    router,
    sources: createSourceFetcher(),
    builder: createBuilder({ staticServerPath }),
    prober: createHealthProber(),
    artifacts: createFsArtifactStore({ dataDir }),
    clock: createSystemClock(),
    ids: createSortableIdGenerator(),
    logger: silentLogger,
    secretCipher: createAesGcmSecretCipher({ keyring }),
    settings,
    ...(options.instanceCatalog === undefined ? {} : { instanceCatalog: options.instanceCatalog(store) }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const planes: ControlPlane[] = [];
  let sourceCount = 0;

  const controlPlane = (): ControlPlane => {
    const runtime = recordCalls(createFakeRuntimeDriver({ world, portRange }), steps);
    const deps: CoreDeps = { ...shared, runtimes: createRuntimeSet({ process: runtime }), events: new EventBus() };
    const fleet = createFleet(deps);
    const reconciler = createReconciler(deps, fleet);
    const plane: ControlPlane = {
      deps,
      runtime,
      fleet,
      reconciler,
      runner: createDeploymentRunner(deps, fleet),
      async stop() {
        await reconciler.stop();
        await fleet.health.idle();
      },
    };
    planes.push(plane);
    return plane;
  };

  const first = controlPlane();
  if (options.isReconcilerRunning ?? true) first.reconciler.start();

  const writeSource = async (files: Record<string, string>): Promise<string> => {
    sourceCount += 1;
    const dir = join(root, 'sources', String(sourceCount));
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    await mkdir(dir, { recursive: true });
    return dir;
  };

  const runToEnd = async (deploymentId: string): Promise<DeploymentRecord> => {
    await first.runner.run(deploymentId, new AbortController().signal);
    const deployment = await store.deployments.findById(deploymentId);
    if (!deployment) throw new Error(`deployment ${deploymentId} vanished`);
    return deployment;
  };

  const instancesOf = async (app: string): Promise<InstanceRecord[]> => {
    const record = await store.apps.findByName(app);
    return record ? store.instances.list({ appId: record.id }) : [];
  };

  return {
    ...first,
    store,
    router,
    world,
    dataDir,
    keyring,
    steps,
    writeSource,
    webSource({ command = 'fake:http-server', healthCheck = 'http', replicas, manifestYaml = '' } = {}) {
      const manifest = [
        'processes:',
        '  web:',
        ...(replicas === undefined ? [] : [`    replicas: ${replicas}`]),
        ...healthCheckYaml(healthCheck),
        manifestYaml,
      ];
      return writeSource({ Procfile: `web: ${command}\n`, 'slipway.yaml': `${manifest.join('\n')}\n` });
    },
    async createApp(name) {
      await createApp(first.deps, { name, project: 'default' });
    },
    async deploy(app, sourceDir) {
      const view = await requestDeployment(first.deps, {
        app,
        environment: 'production',
        source: { kind: 'path', path: sourceDir },
      });
      return runToEnd(view.id);
    },
    runToEnd,
    instancesOf,
    restartControlPlane: controlPlane,
    async close() {
      for (const plane of planes) await plane.stop();
      for (const status of await first.runtime.list()) await first.runtime.remove(status.instanceId);
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The fake with its start, stop and remove calls written to `steps` (so tests can check what came first). */
function recordCalls(driver: FakeRuntimeDriver, steps: HarnessStep[]): FakeRuntimeDriver {
  return {
    ...driver,
    async start(spec: InstanceSpec, callOptions) {
      steps.push({ kind: 'start', instanceId: spec.instanceId, releaseId: spec.labels['slipway.release-id'] });
      return driver.start(spec, callOptions);
    },
    async stop(instanceId, stopOptions) {
      steps.push({ kind: 'stop', instanceId });
      return driver.stop(instanceId, stopOptions);
    },
    async remove(instanceId, callOptions) {
      steps.push({ kind: 'remove', instanceId });
      return driver.remove(instanceId, callOptions);
    },
  };
}

/** A canary rollout of the app environment's current release, `progressing`: the autoscaler and wakes keep off. */
export async function insertProgressingRollout(harness: CoreHarness, app: string): Promise<RolloutRecord> {
  const scope = await getAppScope(harness.store, app, 'production');
  const releaseId = scope.appEnvironment.currentReleaseId ?? '';
  const rollout: RolloutRecord = {
    id: 'rol_test',
    deploymentId: 'dep_test',
    appId: scope.app.id,
    environmentId: scope.environment.id,
    releaseId,
    stableReleaseId: releaseId,
    strategy: 'canary',
    phase: 'progressing',
    pauseReason: null,
    message: null,
    failureCode: null,
    stepIndex: 0,
    stepStartedAtMs: 0,
    gateState: null,
    control: { promote: null, pause: false, abort: false, by: null },
    deadlineAtMs: Date.now() + 600_000,
    pausedAtMs: null,
    createdAtMs: 0,
    updatedAtMs: 0,
    finishedAtMs: null,
    version: 1,
  };
  await harness.store.rollouts.insert(rollout);
  return rollout;
}
