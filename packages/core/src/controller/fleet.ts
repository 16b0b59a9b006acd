/**
 * The fleet: starts, restarts, probes and retires instances, and keeps the edge's table in step with their health.
 * Shared by rollouts and the controller so both change instances the same way, one instance at a time.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { KeyedMutex } from '../domain/keyed-mutex.js';
import { resolveProcesses, type ResolvedProcess } from '../domain/process-plan.js';
import type { AppRecord, EnvironmentRecord, InstanceRecord, ReleaseRecord } from '../domain/records.js';
import { publishCrashLoop } from '../notifications/delivery-event-publishing.js';
import { openReleaseSecrets } from '../secrets/secret-vault.js';
import { createHealthMonitor, type HealthMonitor } from './health-monitor.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import { instanceEnv, instanceLabels } from './instance-env.js';
import { assertRuntimeRuns } from './runtime-set.js';
import { createRouterSync, type RouterSync } from './router-sync.js';
import { createBackgroundSupervisor, type BackgroundSupervisor } from './background-supervisor.js';

/** Pause before the first in-flight query of a drain, and between queries (both bounded by the drain timeout). */
const drainMinPauseMs = 50;
const drainPollMs = 50;

export interface InstanceScope {
  app: AppRecord;
  environment: EnvironmentRecord;
}

export interface Fleet {
  /** Records and starts a new instance of a release's process. A runtime refusal is recorded as a crash and rethrown. */
  startInstance(
    scope: InstanceScope,
    release: ReleaseRecord,
    process: string,
    deploymentId: string | null,
  ): Promise<InstanceRecord>;
  /** Starts a crashed instance again under the same id, counting the restart. */
  restartInstance(instanceId: string): Promise<void>;
  /** Takes the instance out of the router, lets in-flight requests finish, stops it and forgets it. Idempotent. */
  retireInstance(instanceId: string): Promise<void>;
  /** True while a retire of this instance is under way in this process. */
  isRetiring(instanceId: string): boolean;
  /** Marks an instance whose process is gone as crashed and schedules its restart with backoff. */
  recordExit(instanceId: string, exit: { exitCode: number | null; isOomKilled: boolean }): Promise<void>;
  readonly health: HealthMonitor;
  readonly router: RouterSync;
  /** Runs the work nobody awaits (the controller's retires and restarts): `deps.background`, or the fleet's own. */
  readonly background: BackgroundSupervisor;
  /**
   * Ids of the one-off runs (`slipway run`) this process is running: no record claims them, yet the controller must
   * not remove them as orphans. One left by an earlier control plane is an orphan, and removed.
   */
  readonly oneOffRuns: Set<string>;
  /** The last lines of an instance's output (both streams). */
  logTail(instanceId: string, lines: number): Promise<string[]>;
  /** Resolved process spec (command, replicas, health check, grace) of an instance's release. */
  processSpec(
    release: ReleaseRecord,
    process: string,
    scale?: Readonly<Record<string, number>>,
  ): ResolvedProcess | undefined;
  getReleaseCached(releaseId: string): Promise<ReleaseRecord | undefined>;
}

export function createFleet(deps: CoreDeps): Fleet {
  const { store, runtimes, clock, logger, settings } = deps;
  const locks = new KeyedMutex();
  const retiring = new Set<string>();
  const releaseCache = new Map<string, ReleaseRecord>();
  const background = deps.background ?? createBackgroundSupervisor(logger);

  const getReleaseCached = async (releaseId: string): Promise<ReleaseRecord | undefined> => {
    const cached = releaseCache.get(releaseId);
    if (cached) return cached;
    const release = await store.releases.findById(releaseId);
    if (release) releaseCache.set(releaseId, release);
    return release;
  };

  const processSpec = (
    release: ReleaseRecord,
    process: string,
    scale: Readonly<Record<string, number>> = {},
  ): ResolvedProcess | undefined =>
    resolveProcesses(release.processes, release.manifest, scale).find((p) => p.name === process);

  const router = createRouterSync(deps);
  const health = createHealthMonitor(deps, {
    checkOf: async (instance) => {
      const release = await getReleaseCached(instance.releaseId);
      return release ? processSpec(release, instance.process)?.healthCheck : undefined;
    },
    locks,
    onChange: async () => {
      await router.sync(true);
    },
  });

  const launch = async (
    instance: InstanceRecord,
    scope: InstanceScope,
    release: ReleaseRecord,
  ): Promise<InstanceRecord> => {
    const spec = processSpec(release, instance.process);
    if (!spec)
      throw new SlipwayError('PROCESS_TYPE_UNKNOWN', `release ${release.number} has no process "${instance.process}"`);
    try {
      const plan = resolveRuntimePlan(release, scope.environment.name, instance.process);
      assertRuntimeRuns(runtimes, instance.runtime, release);
      // Opened at each start, never cached: the values stay in memory only as long as the start takes.
      const secrets = await openReleaseSecrets(deps, release);
      const status = await runtimes.get(instance.runtime).start({
        instanceId: instance.id,
        labels: instanceLabels(release, scope.app, scope.environment, instance),
        command: spec.command,
        workDir: release.artifactDir,
        env: instanceEnv(
          release,
          scope.app,
          scope.environment,
          instance,
          secrets,
          settings.catalogAddresses[instance.runtime],
        ),
        stopGraceMs: spec.stopGraceMs,
        listensOnPort: spec.listensOnPort,
        networkScope: scope.app.projectId,
        networkAliases: instance.process === 'web' ? [scope.app.name] : [`${instance.process}.${scope.app.name}`],
        secretNames: Object.keys(secrets),
        placement: plan.placement,
        ...(release.image === null ? {} : { image: release.image.digest }),
        ...(release.manifest.port === undefined ? {} : { containerPort: release.manifest.port }),
        ...(plan.limits === undefined ? {} : { limits: plan.limits }),
      });
      const started: InstanceRecord = {
        ...instance,
        limits: status.limits ?? null,
        state: 'starting',
        host: status.host,
        // A runtime that gives every instance a port anyway (containers): a worker's is not one it serves on.
        port: spec.listensOnPort ? status.port : null,
        pid: status.pid,
        startedAtMs: status.startedAtMs,
        healthyAtMs: null,
        restartAfterMs: null,
        updatedAtMs: clock.nowMs(),
      };
      await store.instances.update(started);
      health.reset(instance.id);
      logger.info(
        { instanceId: instance.id, port: status.port, pid: status.pid, app: scope.app.name },
        'instance started',
      );
      return started;
    } catch (error) {
      const now = clock.nowMs();
      await store.instances.update({
        ...instance,
        state: 'crashed',
        restartAfterMs: now + backoffMs(instance.restarts),
        updatedAtMs: now,
      });
      throw error;
    }
  };

  const backoffMs = (restarts: number): number =>
    Math.min(settings.restartBackoffMaxMs, settings.restartBackoffBaseMs * 2 ** restarts);

  /**
   * Waits until the router reports no request in flight to the instance, or `settings.drainMs` (the drain timeout)
   * has passed. Each query is bounded by what is left of it, so an unreachable or hung router delays the stop by
   * the drain timeout at most. The first look comes after a short pause, for requests the edge dispatched while
   * the new table was on its way.
   */
  const drain = async (instanceId: string): Promise<void> => {
    if (settings.drainMs <= 0) return;
    const deadlineMs = clock.nowMs() + settings.drainMs;
    let pauseMs = Math.min(drainMinPauseMs, settings.drainMs);
    for (;;) {
      await clock.sleep(pauseMs);
      const leftMs = deadlineMs - clock.nowMs();
      if (leftMs <= 0) break;
      const count = await inFlightWithin(instanceId, leftMs);
      if (count === 0) return;
      if (clock.nowMs() >= deadlineMs) break;
      pauseMs = Math.min(drainPollMs, Math.max(0, deadlineMs - clock.nowMs()));
    }
    logger.warn({ instanceId, drainMs: settings.drainMs }, 'drain timeout reached, stopping with requests in flight');
  };

  /** The router's in-flight count, or `undefined` when it did not answer (error, or not within `timeoutMs`). */
  const inFlightWithin = async (instanceId: string, timeoutMs: number): Promise<number | undefined> => {
    const timeout = new AbortController();
    const query = deps.router.inFlight([instanceId]).then(
      (counts) => counts[instanceId] ?? 0,
      (error: unknown) => {
        logger.debug({ instanceId, err: error }, 'router in-flight count unavailable');
        return undefined;
      },
    );
    const expiry = clock.sleep(timeoutMs, timeout.signal).then(
      () => undefined,
      () => undefined,
    );
    try {
      return await Promise.race([query, expiry]);
    } finally {
      timeout.abort();
    }
  };

  const scopeOf = async (instance: InstanceRecord): Promise<InstanceScope | undefined> => {
    const app = await store.apps.findById(instance.appId);
    const environment = await store.environments.findById(instance.environmentId);
    return app && environment ? { app, environment } : undefined;
  };

  return {
    health,
    router,
    background,
    oneOffRuns: new Set(),
    processSpec,
    getReleaseCached,
    isRetiring: (id) => retiring.has(id),

    async startInstance(scope, release, process, deploymentId) {
      const now = clock.nowMs();
      const instance: InstanceRecord = {
        runtime: resolveRuntimePlan(release, scope.environment.name, process).runtime,
        limits: null,
        lastExitReason: null,
        id: deps.ids.next('ins'),
        appId: scope.app.id,
        environmentId: scope.environment.id,
        releaseId: release.id,
        deploymentId,
        process,
        state: 'starting',
        host: null,
        port: null,
        pid: null,
        restarts: 0,
        lastExitCode: null,
        startedAtMs: null,
        healthyAtMs: null,
        restartAfterMs: null,
        updatedAtMs: now,
      };
      await store.instances.insert(instance);
      // Started for a deployment (whichever loop asks), the start joins that deployment's trace.
      const start = (): Promise<InstanceRecord> => launch(instance, scope, release);
      return locks.run(instance.id, () => deps.tracer?.withinDeployment(instance.deploymentId, start) ?? start());
    },

    async restartInstance(instanceId) {
      await locks.run(instanceId, async () => {
        const instance = await store.instances.findById(instanceId);
        if (!instance || instance.state !== 'crashed' || retiring.has(instanceId)) return;
        const release = await getReleaseCached(instance.releaseId);
        const scope = await scopeOf(instance);
        if (!release || !scope) return;
        // What is left of it, if anything: a runtime that fails here (or is not run by this slipwayd) fails the start
        // below, which records the crash with its backoff.
        await runtimes
          .find(instance.runtime)
          ?.stop(instanceId)
          .catch((error: unknown) => logger.debug({ instanceId, err: error }, 'stop before restart failed'));
        const counted = { ...instance, restarts: instance.restarts + 1 };
        logger.info({ instanceId, restarts: counted.restarts, app: scope.app.name }, 'instance restarting');
        deps.metrics?.instanceRestarted({
          app: scope.app.name,
          environment: scope.environment.name,
          process: instance.process,
        });
        await launch(counted, scope, release).catch((error: unknown) =>
          logger.warn({ instanceId, err: error }, 'instance restart failed'),
        );
      });
    },

    async recordExit(instanceId, { exitCode, isOomKilled }) {
      await locks.run(instanceId, async () => {
        const instance = await store.instances.findById(instanceId);
        if (!instance || !['starting', 'healthy', 'unhealthy'].includes(instance.state)) return;
        const now = clock.nowMs();
        // An instance that served for a while before it died starts over with the shortest backoff.
        const ranStably = instance.healthyAtMs !== null && now - instance.healthyAtMs >= settings.stableRunMs;
        const crashed: InstanceRecord = {
          ...instance,
          state: 'crashed',
          lastExitCode: exitCode,
          lastExitReason: isOomKilled ? 'oom-killed' : null,
          pid: null,
          restartAfterMs: now + backoffMs(ranStably ? 0 : instance.restarts),
          updatedAtMs: now,
        };
        await store.instances.update(crashed);
        logger.warn({ instanceId, exitCode, isOomKilled, restarts: instance.restarts }, 'instance exited');
        await publishCrashLoop(deps, crashed);
        await deps.instanceCatalog?.instanceChanged(instanceId);
        if (instance.state === 'healthy') await router.sync(true);
      });
    },

    async retireInstance(instanceId) {
      if (retiring.has(instanceId)) return;
      retiring.add(instanceId);
      try {
        const wasServing = await locks.run(instanceId, async () => {
          const instance = await store.instances.findById(instanceId);
          if (!instance) return undefined;
          if (instance.state !== 'draining' && instance.state !== 'stopping') {
            await store.instances.update({ ...instance, state: 'draining', updatedAtMs: clock.nowMs() });
          }
          return instance.state === 'healthy';
        });
        if (wasServing === undefined) return;
        // Out of the catalog before anything else, so that its clients stop choosing it while it still serves.
        await deps.instanceCatalog?.instanceRetiring(instanceId);
        // Out of the router first, then wait until the router has no request in flight to it, then the stop signal.
        // While the router cannot confirm the table without it, a serving instance is left draining: the
        // reconciler retries the retire, so it is never stopped under requests the router still sends it.
        const isOutOfRouter = await router.sync(true);
        if (wasServing && !isOutOfRouter) {
          logger.warn({ instanceId }, 'instance kept until the router confirms it no longer routes to it');
          return;
        }
        if (wasServing) await drain(instanceId);
        await locks.run(instanceId, async () => {
          const instance = await store.instances.findById(instanceId);
          if (instance) await store.instances.update({ ...instance, state: 'stopping', updatedAtMs: clock.nowMs() });
        });
        const record = await store.instances.findById(instanceId);
        try {
          if (record) await runtimes.get(record.runtime).remove(instanceId);
        } catch (error) {
          // Out of the router and drained already: it serves nothing. Its runtime did not answer (an engine that is
          // down); the record stays `stopping` and the controller finishes the retire once the runtime answers.
          logger.warn({ instanceId, err: error }, 'instance out of service; its stop waits for the runtime');
          return;
        }
        await store.instances.delete(instanceId);
        health.forget(instanceId);
        logger.info({ instanceId }, 'instance retired');
      } finally {
        retiring.delete(instanceId);
      }
    },

    async logTail(instanceId, lines) {
      const out: string[] = [];
      try {
        const instance = await store.instances.findById(instanceId);
        if (!instance) return out;
        const driver = runtimes.get(instance.runtime);
        for await (const line of driver.logs(instanceId, { tailLines: lines, follow: false })) out.push(line.line);
      } catch {
        return out;
      }
      return out.slice(-lines);
    },
  };
}
