/**
 * The controller loop: on every pass it compares desired state (current release × scale) with what runs,
 * restarts crashed instances with backoff, stops orphans and surplus, starts what is missing, and re-sends the
 * routing table. Level-triggered: a missed event is corrected on the next pass. Apps in the middle of a rollout
 * are left to their rollout, except for crash restarts and health.
 */
import type { CoreDeps } from '../core-deps.js';
import type { AppEnvironmentRecord, DeploymentRecord, InstanceRecord } from '../domain/records.js';
import { resolveProcesses } from '../domain/process-plan.js';
import type { InstanceStatus } from '../ports/runtime-driver.js';
import { taskLabel } from './instance-env.js';
import type { Fleet } from './fleet.js';

export interface Reconciler {
  /** One full pass; safe to call at any time (passes never overlap). */
  reconcile(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
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

export function createReconciler(deps: CoreDeps, fleet: Fleet): Reconciler {
  const { store, runtimes, clock, logger, settings } = deps;
  /** Runtimes whose last `list()` failed, so an outage is logged once, not on every pass. */
  const unreachable = new Set<string>();

  /**
   * What each runtime runs. A runtime that does not answer (its engine is down) is left out, and so are its
   * instances this pass: they are neither marked crashed nor replaced until it answers again.
   */
  const listRuntimes = async () => {
    const answered = new Set<string>();
    const statuses: (InstanceStatus & { runtime: string })[] = [];
    await Promise.all(
      runtimes.names.map(async (name) => {
        try {
          const listed = await runtimes.get(name).list();
          for (const status of listed) statuses.push({ ...status, runtime: name });
          answered.add(name);
          if (unreachable.delete(name)) logger.info({ runtime: name }, 'runtime answers again');
        } catch (error) {
          if (!unreachable.has(name)) logger.warn({ runtime: name, err: error }, 'runtime does not answer');
          unreachable.add(name);
        }
      }),
    );
    return { statuses, answered };
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<void> | undefined;
  let isStopped = true;

  const isTaskOfRunningDeployment = async (status: InstanceStatus): Promise<boolean> => {
    const deploymentId = status.labels['slipway.deployment'];
    if (status.labels[taskLabel] === undefined || deploymentId === undefined) return false;
    return (await store.deployments.findById(deploymentId))?.state === 'running';
  };

  const isUnderRollout = (deployment: DeploymentRecord | undefined): boolean =>
    deployment !== undefined &&
    deployment.state === 'running' &&
    (deployment.phase === 'rollout' || deployment.phase === 'finalize');

  const pass = async (): Promise<void> => {
    const [records, { statuses, answered }, appEnvironments] = await Promise.all([
      store.instances.list(),
      listRuntimes(),
      store.appEnvironments.list(),
    ]);
    const statusById = new Map(statuses.map((s) => [s.instanceId, s]));
    const now = clock.nowMs();

    // 1. Actual state: exits the runtime saw become crashes.
    for (const instance of records) {
      if (!['starting', 'healthy', 'unhealthy'].includes(instance.state) || instance.startedAtMs === null) continue;
      if (!answered.has(instance.runtime)) continue;
      const status = statusById.get(instance.id);
      if (!status || status.state === 'exited') {
        await fleet.recordExit(instance.id, {
          exitCode: status?.exitCode ?? null,
          isOomKilled: status?.oomKilled === true,
        });
      }
    }

    // 2. Orphans: instances the runtime runs that no record claims (a release command's task only once its
    // deployment is over: until then the deployment runs it).
    const known = new Set(records.map((r) => r.id));
    for (const status of statuses) {
      if (
        !known.has(status.instanceId) &&
        !fleet.oneOffRuns.has(status.instanceId) &&
        !(await isTaskOfRunningDeployment(status))
      ) {
        logger.warn({ instanceId: status.instanceId, runtime: status.runtime }, 'orphan instance removed');
        await runtimes.get(status.runtime).remove(status.instanceId);
      }
    }

    const fresh = await store.instances.list();
    fleet.health.probeDue(fresh);

    // 3. Desired state per app environment.
    const byScope = new Map<string, InstanceRecord[]>();
    for (const instance of fresh) {
      const key = `${instance.appId}/${instance.environmentId}`;
      byScope.set(key, [...(byScope.get(key) ?? []), instance]);
    }
    const claimed = new Set<string>();
    for (const appEnvironment of appEnvironments) {
      const key = `${appEnvironment.appId}/${appEnvironment.environmentId}`;
      claimed.add(key);
      await reconcileScope(appEnvironment, byScope.get(key) ?? [], now);
    }
    for (const [key, instances] of byScope) {
      if (!claimed.has(key)) for (const instance of instances) void fleet.retireInstance(instance.id);
    }

    await fleet.router.sync();
  };

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
        void fleet.retireInstance(instance.id);
      } else if (instance.state === 'crashed' && wanted(instance) && (instance.restartAfterMs ?? 0) <= now) {
        void fleet.restartInstance(instance.id);
      }
    }
    if (isStopped) {
      // Stopped on purpose (`slipway stop`): nothing of it runs until `slipway start`, across restarts of slipwayd.
      for (const instance of instances) {
        if (instance.state !== 'draining' && instance.state !== 'stopping') void fleet.retireInstance(instance.id);
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
        for (const instance of surplus.slice(0, mine.length - process.replicas)) void fleet.retireInstance(instance.id);
      }
    }
    const names = new Set(processes.map((p) => p.name));
    for (const instance of live) {
      if (instance.releaseId !== release.id || !names.has(instance.process)) void fleet.retireInstance(instance.id);
    }
  };

  const reconcile = async (): Promise<void> => {
    if (current) return current;
    current = pass()
      .catch((error: unknown) => logger.error({ err: error }, 'reconcile pass failed'))
      .finally(() => {
        current = undefined;
      });
    return current;
  };

  const schedule = (): void => {
    if (isStopped) return;
    timer = setTimeout(() => {
      void reconcile().finally(schedule);
    }, settings.reconcileIntervalMs);
    timer.unref?.();
  };

  return {
    reconcile,
    start() {
      if (!isStopped) return;
      isStopped = false;
      void reconcile().finally(schedule);
    },
    async stop() {
      isStopped = true;
      if (timer) clearTimeout(timer);
      await current;
      await fleet.health.idle();
    },
  };
}
