/**
 * The controller loop: on every pass it advances each active rollout one step (`delivery/rollout-engine.ts`),
 * compares each app environment's desired state (its release targets × scale; with none stored, the current
 * release × scale) with what runs, restarts crashed instances with backoff, stops orphans and surplus, starts what
 * is missing, and re-sends the routing table. Level-triggered: a missed event is corrected on the next pass.
 */
import type { CoreDeps } from '../core-deps.js';
import { scaleOf, steadyTargets as defaultTargets } from '../delivery/desired-state.js';
import type { ReleaseTarget } from '../delivery/rollout-model.js';
import { createRolloutEngine } from '../delivery/rollout-engine.js';
import type { AppEnvironmentRecord, InstanceRecord } from '../domain/records.js';
import type { InstanceStatus } from '../ports/runtime-driver.js';
import { taskLabel } from './instance-env.js';
import { convergeToTargets, targetIndexOf } from './desired-state-convergence.js';
import type { Fleet } from './fleet.js';

export interface Reconciler {
  /** One full pass; safe to call at any time (passes never overlap). */
  reconcile(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createReconciler(deps: CoreDeps, fleet: Fleet): Reconciler {
  const { store, runtimes, clock, logger, settings } = deps;
  const engine = createRolloutEngine(deps, fleet);
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

  /**
   * The desired state of an app environment between rollouts: the stored one, its current release at the
   * environment's scale (a scale change needs no rollout); none stored (data from before rollouts were desired
   * state): the current release × scale. A stored state without the current release is kept only while the rollout
   * that wrote it waits for its finalize; otherwise it is stale and the current release runs.
   */
  const steadyTargets = async (appEnvironment: AppEnvironmentRecord): Promise<ReleaseTarget[] | undefined> => {
    const { appId, environmentId } = appEnvironment;
    const stored = await store.desiredStates.find(appId, environmentId);
    const current =
      appEnvironment.currentReleaseId === null
        ? undefined
        : await fleet.getReleaseCached(appEnvironment.currentReleaseId);
    if (stored !== undefined && current !== undefined && stored.targets.some((t) => t.releaseId === current.id))
      return stored.targets.map((t) =>
        t.releaseId === current.id ? { ...t, scale: scaleOf(current, appEnvironment.scale) } : t,
      );
    if (stored !== undefined) {
      const [last] = await store.rollouts.list(appId, environmentId, 1);
      const deployment = last === undefined ? undefined : await store.deployments.findById(last.deploymentId);
      if (last?.phase === 'healthy' && deployment?.state === 'running') return stored.targets;
    }
    return current === undefined ? undefined : defaultTargets(current, appEnvironment.scale);
  };

  const reconcileScope = async (
    appEnvironment: AppEnvironmentRecord,
    instances: InstanceRecord[],
    now: number,
  ): Promise<void> => {
    const rollout = await store.rollouts.findActive(appEnvironment.appId, appEnvironment.environmentId);
    const isStopped = appEnvironment.runState === 'stopped' && rollout === undefined;
    if (isStopped) {
      // Stopped on purpose (`slipway stop`): nothing of it runs until `slipway start`, across restarts of slipwayd.
      for (const instance of instances) if (!fleet.isRetiring(instance.id)) void fleet.retireInstance(instance.id);
      return;
    }
    const app = await store.apps.findById(appEnvironment.appId);
    const environment = await store.environments.findById(appEnvironment.environmentId);
    if (!app || !environment) return;
    const targets =
      rollout === undefined
        ? await steadyTargets(appEnvironment)
        : await engine.advance(rollout, { app, environment, appEnvironment }, instances);

    for (const instance of instances) {
      if ((instance.state === 'draining' || instance.state === 'stopping') && !fleet.isRetiring(instance.id)) {
        // A retire interrupted by a control-plane restart: finish it.
        void fleet.retireInstance(instance.id);
      } else if (
        instance.state === 'crashed' &&
        (instance.restartAfterMs ?? 0) <= now &&
        targets !== undefined &&
        targetIndexOf(targets, rollout, instance) >= 0
      ) {
        void fleet.restartInstance(instance.id);
      }
    }
    if (targets === undefined) return;
    // The rollout may have ended in this pass: its record says how instances are told apart.
    const still = rollout === undefined ? undefined : await store.rollouts.findById(rollout.id);
    const claimer = still?.phase === 'progressing' || still?.phase === 'paused' ? still : undefined;
    const converged = await convergeToTargets(
      deps,
      fleet,
      { app, environment },
      targets,
      instances,
      claimer ?? rollout,
    );
    // A runtime that refuses to start the new release fails its rollout with the refusal's code, as a crash would.
    if (claimer !== undefined && converged.rolloutStartError !== undefined)
      await engine.fail(claimer, { app, environment, appEnvironment }, converged.rolloutStartError);
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
