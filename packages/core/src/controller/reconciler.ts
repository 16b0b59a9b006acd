/**
 * The controller loop: on every pass it advances each active rollout one step (`delivery/rollout-engine.ts`),
 * compares each app environment's desired state (its release targets × scale; with none stored, the current
 * release × scale) with what runs, restarts crashed instances with backoff, stops orphans and surplus, starts what
 * is missing, and re-sends the routing table. Level-triggered: a missed event is corrected on the next pass. Each
 * runtime has a pass of its own, on its own timer, so a runtime whose engine hangs holds up only its own instances
 * and app environments; work nobody awaits runs under the fleet's background supervisor.
 */
import type { CoreDeps } from '../core-deps.js';
import { scaleOf, steadyTargets as defaultTargets } from '../delivery/desired-state.js';
import type { ReleaseTarget, RolloutRecord } from '../delivery/rollout-model.js';
import { createRolloutEngine } from '../delivery/rollout-engine.js';
import type { AppEnvironmentRecord, EnvironmentRecord, InstanceRecord } from '../domain/records.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import type { InstanceStatus } from '../ports/runtime-driver.js';
import { taskLabel } from './instance-env.js';
import { convergeToTargets, targetIndexOf } from './desired-state-convergence.js';
import { nextEventLoopTurn, scopesPerTurn } from './event-loop-turn.js';
import type { Fleet } from './fleet.js';

export interface Reconciler {
  /** One full pass of every runtime, awaited together; safe to call at any time (passes of a runtime never overlap). */
  reconcile(): Promise<void>;
  /**
   * Starts each runtime's loop: `settings.reconcileIntervalMs` between the end of a pass and the next, or twice the
   * pass's duration when that is longer.
   */
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

/**
 * The pause after a pass is at least this many times the pass's duration: with thousands of app environments a pass
 * takes longer than the interval, and the loop would otherwise leave the process (and its API) little else.
 */
const passesPauseRatio = 2;

export function createReconciler(deps: CoreDeps, fleet: Fleet, options: ReconcilerOptions = {}): Reconciler {
  const { store, runtimes, clock, logger, settings } = deps;
  const background = fleet.background;
  const engine = createRolloutEngine(deps, fleet);
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

  /**
   * The runtime whose pass converges an app environment: the one the release it converges to runs on there (an
   * active rollout's release, else the current release), else the one its instances run on, else the first; a
   * runtime this slipwayd does not run falls to the first, which then reports what cannot start. It never depends
   * on which instances a pass happened to read, so two runtimes' passes never converge one app environment at once
   * (a first deploy's instances would otherwise be started by both).
   */
  const runtimeOfScope = async (
    appEnvironment: AppEnvironmentRecord,
    instances: readonly InstanceRecord[],
    rollout: RolloutRecord | undefined,
    environmentOf: (id: string) => Promise<EnvironmentRecord | undefined>,
  ): Promise<string> => {
    let name = instances[0]?.runtime;
    const releaseId = rollout?.releaseId ?? appEnvironment.currentReleaseId;
    if (releaseId !== null) {
      const release = await fleet.getReleaseCached(releaseId);
      const environment = await environmentOf(appEnvironment.environmentId);
      if (release && environment) name = resolveRuntimePlan(release, environment.name, 'web').runtime;
    }
    return name !== undefined && runtimes.names.includes(name) ? name : (runtimes.names[0] ?? '');
  };

  /** Environments read once per pass: thousands of app environments share a handful of them. */
  const environmentsOfPass = (): ((id: string) => Promise<EnvironmentRecord | undefined>) => {
    const read = new Map<string, Promise<EnvironmentRecord | undefined>>();
    return (id) => {
      let environment = read.get(id);
      if (environment === undefined) {
        environment = store.environments.findById(id);
        read.set(id, environment);
      }
      return environment;
    };
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
    // Read after the instances: an app environment with no instance among them, no current release, no active
    // rollout and no desired state has nothing to converge, and is passed over without reads of its own (thousands
    // of apps never deployed would otherwise cost three reads each on every pass). One that gains a rollout after
    // these reads is converged by the next pass, as one this pass had already visited would be.
    const withRollout = new Set((await store.rollouts.listActive()).map((r) => `${r.appId}/${r.environmentId}`));
    const withDesiredState = new Set(
      (await store.desiredStates.listScopes()).map((d) => `${d.appId}/${d.environmentId}`),
    );
    const claimed = new Set<string>();
    const environmentOf = environmentsOfPass();
    for (const [index, appEnvironment] of appEnvironments.entries()) {
      if (index > 0 && index % scopesPerTurn === 0) await nextEventLoopTurn();
      const key = `${appEnvironment.appId}/${appEnvironment.environmentId}`;
      claimed.add(key);
      const instances = byScope.get(key) ?? [];
      const isIdle =
        instances.length === 0 &&
        appEnvironment.currentReleaseId === null &&
        !withRollout.has(key) &&
        !withDesiredState.has(key);
      if (isIdle) continue;
      // Read once for both: the owner's choice and the scope's convergence see the same rollout.
      const rollout = await store.rollouts.findActive(appEnvironment.appId, appEnvironment.environmentId);
      if ((await runtimeOfScope(appEnvironment, instances, rollout, environmentOf)) !== runtime) continue;
      await reconcileScope(appEnvironment, instances, rollout, environmentOf, now);
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
    rollout: RolloutRecord | undefined,
    environmentOf: (id: string) => Promise<EnvironmentRecord | undefined>,
    now: number,
  ): Promise<void> => {
    const isStopped = appEnvironment.runState === 'stopped' && rollout === undefined;
    if (isStopped) {
      // Stopped on purpose (`slipway stop`): nothing of it runs until `slipway start`, across restarts of slipwayd.
      for (const instance of instances) if (!fleet.isRetiring(instance.id)) retireInBackground(instance.id);
      return;
    }
    const app = await store.apps.findById(appEnvironment.appId);
    const environment = await environmentOf(appEnvironment.environmentId);
    if (!app || !environment) return;
    const targets =
      rollout === undefined
        ? await steadyTargets(appEnvironment)
        : await engine.advance(rollout, { app, environment, appEnvironment }, instances);

    for (const instance of instances) {
      if ((instance.state === 'draining' || instance.state === 'stopping') && !fleet.isRetiring(instance.id)) {
        // A retire interrupted by a control-plane restart: finish it.
        retireInBackground(instance.id);
      } else if (
        instance.state === 'crashed' &&
        (instance.restartAfterMs ?? 0) <= now &&
        targets !== undefined &&
        targetIndexOf(targets, rollout, instance) >= 0
      ) {
        restartInBackground(instance.id);
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

  /** Each runtime's loop: its own timer and its own pass, which never overlaps the previous one. */
  const lanes = runtimes.names.map((runtime) => {
    let current: Promise<void> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastPassMs = 0;
    const reconcileRuntime = (): Promise<void> => {
      const startedAtMs = clock.nowMs();
      const measure = (outcome: 'succeeded' | 'failed'): void => {
        lastPassMs = clock.nowMs() - startedAtMs;
        deps.metrics?.reconcilePassFinished({ runtime, outcome, durationMs: lastPassMs });
      };
      current ??= pass(runtime)
        .then(
          () => measure('succeeded'),
          (error: unknown) => {
            measure('failed');
            logger.error({ runtime, err: error }, 'reconcile pass failed');
          },
        )
        .finally(() => {
          current = undefined;
        });
      return current;
    };
    const schedule = (): void => {
      if (isStopped) return;
      timer = setTimeout(
        () => {
          void reconcileRuntime().finally(schedule);
        },
        Math.max(settings.reconcileIntervalMs, passesPauseRatio * lastPassMs),
      );
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
