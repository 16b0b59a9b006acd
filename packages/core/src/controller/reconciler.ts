/**
 * The controller loop: on every pass it compares desired state (current release × scale) with what runs,
 * restarts crashed instances with backoff, stops orphans and surplus, starts what is missing, and re-sends the
 * routing table. Level-triggered: a missed event is corrected on the next pass. Apps in the middle of a rollout
 * are left to their rollout, except for crash restarts and health. Each runtime has a pass of its own, on its own
 * timer, so a runtime whose engine hangs holds up only its own instances and app environments; work nobody awaits
 * runs under the fleet's background supervisor.
 */
import type { CoreDeps } from '../core-deps.js';
import type { AppEnvironmentRecord, DeploymentRecord, InstanceRecord } from '../domain/records.js';
import { resolveProcesses } from '../domain/process-plan.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import type { InstanceStatus } from '../ports/runtime-driver.js';
import { taskLabel } from './instance-env.js';
import type { Fleet } from './fleet.js';

export interface Reconciler {
  /** One full pass of every runtime, awaited together; safe to call at any time (passes of a runtime never overlap). */
  reconcile(): Promise<void>;
  /** Starts each runtime's loop (`settings.reconcileIntervalMs` between the end of a pass and the next). */
  start(): void;
  /** Stops the loops and waits for their passes, the health probes and the background work they started. */
  stop(): Promise<void>;
}

/**
 * Testing hook: `reconcile:between-reads` is evaluated in each runtime's pass after the instance records are read
 * and before the runtime is listed, where a rollout's start races the orphan check.
 */
export type ReconcilerFailpoint = (name: 'reconcile:between-reads', context: { runtime: string }) => Promise<void>;

export interface ReconcilerOptions {
  failpoint?: ReconcilerFailpoint;
}

const retireOrder: Record<InstanceRecord['state'], number> = {
  crashed: 0,
  unhealthy: 1,
  starting: 2,
  healthy: 3,
  draining: 4,
  stopping: 4,
  stopped: 4,
};

export function createReconciler(deps: CoreDeps, fleet: Fleet, options: ReconcilerOptions = {}): Reconciler {
  const { store, runtimes, clock, logger, settings } = deps;
  const background = fleet.background;
  /** Runtimes whose last `list()` failed, so an outage is logged once, not on every pass. */
  const unreachable = new Set<string>();

  /**
   * What the runtime runs, or undefined when it does not answer (its engine is down, or hangs past the call's
   * deadline): its instances are then neither marked crashed nor replaced until it answers again.
   */
  const listRuntime = async (name: string): Promise<InstanceStatus[] | undefined> => {
    try {
      const listed = await runtimes.get(name).list();
      if (unreachable.delete(name)) logger.info({ runtime: name }, 'runtime answers again');
      return listed;
    } catch (error) {
      if (!unreachable.has(name)) logger.warn({ runtime: name, err: error }, 'runtime does not answer');
      unreachable.add(name);
      return undefined;
    }
  };

  const isTaskOfRunningDeployment = async (status: InstanceStatus): Promise<boolean> => {
    const deploymentId = status.labels['slipway.deployment'];
    if (status.labels[taskLabel] === undefined || deploymentId === undefined) return false;
    return (await store.deployments.findById(deploymentId))?.state === 'running';
  };

  /**
   * Whether an instance the runtime runs is claimed: by a record (read again now, since a rollout may have recorded
   * and started it after this pass read the records), by a one-off run of this process, or as the task of a
   * deployment still running.
   */
  const isClaimed = async (status: InstanceStatus, known: ReadonlySet<string>): Promise<boolean> =>
    known.has(status.instanceId) ||
    fleet.oneOffRuns.has(status.instanceId) ||
    (await store.instances.findById(status.instanceId)) !== undefined ||
    (await isTaskOfRunningDeployment(status));

  const isUnderRollout = (deployment: DeploymentRecord | undefined): boolean =>
    deployment !== undefined &&
    deployment.state === 'running' &&
    (deployment.phase === 'rollout' || deployment.phase === 'finalize');

  /**
   * The runtime whose pass converges an app environment: the one its current release runs on there, else the one
   * its instances run on, else the first; a runtime this slipwayd does not run falls to the first, which then
   * reports what cannot start.
   */
  const runtimeOfScope = async (
    appEnvironment: AppEnvironmentRecord,
    instances: readonly InstanceRecord[],
  ): Promise<string> => {
    let name = instances[0]?.runtime;
    if (appEnvironment.currentReleaseId !== null) {
      const release = await fleet.getReleaseCached(appEnvironment.currentReleaseId);
      const environment = await store.environments.findById(appEnvironment.environmentId);
      if (release && environment) name = resolveRuntimePlan(release, environment.name, 'web').runtime;
    }
    return name !== undefined && runtimes.names.includes(name) ? name : (runtimes.names[0] ?? '');
  };

  /** One pass of one runtime: its crashes, its orphans, and the app environments that run on it. */
  const pass = async (runtime: string): Promise<void> => {
    const records = (await store.instances.list()).filter((r) => r.runtime === runtime);
    await options.failpoint?.('reconcile:between-reads', { runtime });
    const statuses = await listRuntime(runtime);
    const appEnvironments = await store.appEnvironments.list();
    const statusById = new Map((statuses ?? []).map((s) => [s.instanceId, s]));
    const now = clock.nowMs();

    // 1. Actual state: exits the runtime saw become crashes.
    for (const instance of records) {
      if (!['starting', 'healthy', 'unhealthy'].includes(instance.state) || instance.startedAtMs === null) continue;
      if (statuses === undefined) continue;
      const status = statusById.get(instance.id);
      if (!status || status.state === 'exited') {
        await fleet.recordExit(instance.id, {
          exitCode: status?.exitCode ?? null,
          isOomKilled: status?.oomKilled === true,
        });
      }
    }

    // 2. Orphans: instances the runtime runs that no record claims (a release command's task only once its
    // deployment is over: until then the deployment runs it). Removed in the background: a remove waits for the
    // instance's stop grace, and the pass must not.
    const known = new Set(records.map((r) => r.id));
    for (const status of statuses ?? []) {
      if (await isClaimed(status, known)) continue;
      background.run(
        'orphan removal',
        async () => {
          logger.warn({ instanceId: status.instanceId, runtime }, 'orphan instance removed');
          await runtimes.get(runtime).remove(status.instanceId);
        },
        { key: status.instanceId, instanceId: status.instanceId, runtime },
      );
    }

    const fresh = await store.instances.list();
    fleet.health.probeDue(fresh.filter((i) => i.runtime === runtime));

    // 3. Desired state per app environment, for those that run on this runtime.
    const byScope = new Map<string, InstanceRecord[]>();
    for (const instance of fresh) {
      const key = `${instance.appId}/${instance.environmentId}`;
      byScope.set(key, [...(byScope.get(key) ?? []), instance]);
    }
    const claimed = new Set<string>();
    for (const appEnvironment of appEnvironments) {
      const key = `${appEnvironment.appId}/${appEnvironment.environmentId}`;
      claimed.add(key);
      const instances = byScope.get(key) ?? [];
      if ((await runtimeOfScope(appEnvironment, instances)) !== runtime) continue;
      await reconcileScope(appEnvironment, instances, now);
    }
    for (const [key, instances] of byScope) {
      if (claimed.has(key)) continue;
      for (const instance of instances) {
        if (instance.runtime === runtime) retireInBackground(instance.id);
      }
    }

    await fleet.router.sync();
  };

  const retireInBackground = (instanceId: string): void =>
    background.run('instance retire', () => fleet.retireInstance(instanceId), { key: instanceId, instanceId });
  const restartInBackground = (instanceId: string): void =>
    background.run('instance restart', () => fleet.restartInstance(instanceId), { key: instanceId, instanceId });

  const reconcileScope = async (
    appEnvironment: AppEnvironmentRecord,
    instances: InstanceRecord[],
    now: number,
  ): Promise<void> => {
    const active = await store.deployments.findActive(appEnvironment.appId, appEnvironment.environmentId);
    const rolloutTarget = isUnderRollout(active) ? (active?.releaseId ?? null) : null;
    const isStopped = appEnvironment.runState === 'stopped' && rolloutTarget === null;
    const wanted = (instance: InstanceRecord): boolean =>
      !isStopped && (instance.releaseId === appEnvironment.currentReleaseId || instance.releaseId === rolloutTarget);

    for (const instance of instances) {
      if ((instance.state === 'draining' || instance.state === 'stopping') && !fleet.isRetiring(instance.id)) {
        // A retire interrupted by a control-plane restart: finish it.
        retireInBackground(instance.id);
      } else if (instance.state === 'crashed' && wanted(instance) && (instance.restartAfterMs ?? 0) <= now) {
        restartInBackground(instance.id);
      }
    }
    if (isStopped) {
      // Stopped on purpose (`slipway stop`): nothing of it runs until `slipway start`, across restarts of slipwayd.
      for (const instance of instances) {
        if (instance.state !== 'draining' && instance.state !== 'stopping') retireInBackground(instance.id);
      }
      return;
    }
    if (rolloutTarget !== null || appEnvironment.currentReleaseId === null) return;

    const release = await fleet.getReleaseCached(appEnvironment.currentReleaseId);
    if (!release) return;
    const app = await store.apps.findById(appEnvironment.appId);
    const environment = await store.environments.findById(appEnvironment.environmentId);
    if (!app || !environment) return;

    const live = instances.filter((i) => i.state !== 'draining' && i.state !== 'stopping' && i.state !== 'stopped');
    const processes = resolveProcesses(release.processes, release.manifest, appEnvironment.scale);
    for (const process of processes) {
      const mine = live.filter((i) => i.releaseId === release.id && i.process === process.name);
      if (mine.length < process.replicas) {
        for (let n = mine.length; n < process.replicas; n += 1) {
          await fleet
            .startInstance({ app, environment }, release, process.name, null)
            .catch((error: unknown) =>
              logger.warn({ app: app.name, process: process.name, err: error }, 'instance start failed'),
            );
        }
      } else if (mine.length > process.replicas) {
        const surplus = [...mine].sort(
          (a, b) => retireOrder[a.state] - retireOrder[b.state] || b.id.localeCompare(a.id),
        );
        for (const instance of surplus.slice(0, mine.length - process.replicas)) retireInBackground(instance.id);
      }
    }
    const names = new Set(processes.map((p) => p.name));
    for (const instance of live) {
      if (instance.releaseId !== release.id || !names.has(instance.process)) retireInBackground(instance.id);
    }
  };

  /** Each runtime's loop: its own timer and its own pass, which never overlaps the previous one. */
  const lanes = runtimes.names.map((runtime) => {
    let current: Promise<void> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reconcileRuntime = (): Promise<void> => {
      current ??= pass(runtime)
        .catch((error: unknown) => logger.error({ runtime, err: error }, 'reconcile pass failed'))
        .finally(() => {
          current = undefined;
        });
      return current;
    };
    const schedule = (): void => {
      if (isStopped) return;
      timer = setTimeout(() => {
        void reconcileRuntime().finally(schedule);
      }, settings.reconcileIntervalMs);
      timer.unref?.();
    };
    return {
      reconcile: reconcileRuntime,
      start() {
        void reconcileRuntime().finally(schedule);
      },
      async stop() {
        if (timer) clearTimeout(timer);
        await current;
      },
    };
  });
  let isStopped = true;

  return {
    async reconcile() {
      await Promise.all(lanes.map((lane) => lane.reconcile()));
    },
    start() {
      if (!isStopped) return;
      isStopped = false;
      for (const lane of lanes) lane.start();
    },
    async stop() {
      isStopped = true;
      await Promise.all(lanes.map((lane) => lane.stop()));
      await fleet.health.idle();
      await background.idle();
    },
  };
}
