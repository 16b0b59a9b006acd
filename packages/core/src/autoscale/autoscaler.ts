/**
 * The autoscaler's loop: every interval, for each process type with an `autoscale` block in its app environment's
 * current release, it reads the samples (autoscale-samples.ts), decides (autoscale-decision.ts), records the decision
 * with its inputs, and applies a changed count through `scaleApp`, the path `slipway scale` takes. A process type
 * under a rollout is left alone (the rollout uses the count the autoscaler set last), and so is a stopped app.
 */
import { isSlipwayError, type AutoscaleSpec, type EdgeMetrics } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppEnvironmentRecord, InstanceRecord } from '../domain/records.js';
import { resolveProcesses } from '../domain/process-plan.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import { scaleApp } from '../use-cases/app-state.js';
import { createPeriodicPass } from '../controller/periodic-pass.js';
import { decideReplicas } from './autoscale-decision.js';
import { createSampleReader, releaseKey } from './autoscale-samples.js';
import { createIdleTracker, idleKey, type IdleReading } from './cold-start.js';
import { emptyAutoscaleHistory, type AutoscaleHistory } from './scaling-behavior.js';

export interface AutoscalerSettings {
  /** Between the end of one evaluation and the start of the next (the HPA's sync period: 15 s). */
  readonly intervalMs: number;
  /** Decisions kept per process type; older ones are dropped. */
  readonly decisionsKept: number;
}

export const defaultAutoscalerSettings: AutoscalerSettings = { intervalMs: 15_000, decisionsKept: 200 };

export interface Autoscaler {
  /** One evaluation of every autoscaled process type; evaluations never overlap. */
  evaluate(): Promise<void>;
  start(): void;
  /** Stops the loop and waits for an evaluation under way. */
  stop(): Promise<void>;
}

const liveStates: ReadonlySet<InstanceRecord['state']> = new Set(['starting', 'healthy', 'unhealthy']);

export function createAutoscaler(deps: CoreDeps, settings: AutoscalerSettings): Autoscaler {
  const { store, logger, clock } = deps;
  const reader = createSampleReader(deps);
  const idleness = createIdleTracker();
  /** Recommendations and scale events per `appId/environmentId/process`, in memory as in the HPA controller. */
  const histories = new Map<string, AutoscaleHistory>();

  const evaluateScope = async (
    appEnvironment: AppEnvironmentRecord,
    edge: () => Promise<EdgeMetrics | { error: string }>,
    seen: { releases: Set<string>; histories: Set<string>; idle: Set<string> },
  ): Promise<void> => {
    if (appEnvironment.currentReleaseId === null || appEnvironment.runState === 'stopped') return;
    const release = await store.releases.findById(appEnvironment.currentReleaseId);
    const autoscaled = Object.entries(release?.manifest.processes ?? {}).flatMap(([process, spec]) =>
      spec.autoscale === undefined ? [] : [{ process, spec: spec.autoscale }],
    );
    if (release === undefined || autoscaled.length === 0) return;
    const { appId, environmentId } = appEnvironment;
    for (const { process } of autoscaled) seen.histories.add(`${appId}/${environmentId}/${process}`);
    if ((await store.rollouts.findActive(appId, environmentId)) !== undefined) return;
    const app = await store.apps.findById(appId);
    const environment = await store.environments.findById(environmentId);
    if (app === undefined || environment === undefined) return;
    const scope = { app: app.name, environment: environment.name, releaseNumber: release.number };
    seen.releases.add(releaseKey(scope));
    const resolved = resolveProcesses(release.processes, release.manifest, appEnvironment.scale);
    const instances = (await store.instances.list({ appId, environmentId })).filter(
      (i) => i.releaseId === release.id && liveStates.has(i.state),
    );
    for (const { process, spec } of autoscaled) {
      const current = resolved.find((p) => p.name === process)?.replicas;
      if (current === undefined) continue;
      const cpuLimit = resolveRuntimePlan(release, environment.name, process).limits?.cpus ?? 1;
      const types = spec.metrics.map((m) => m.type);
      const samples = await reader.read(
        { ...scope, cpuLimit },
        instances.filter((i) => i.process === process),
        types,
        types.includes('requestsPerSecond') ? await edge() : undefined,
      );
      let idle: IdleReading | undefined;
      if (spec.scaleToZero !== undefined) {
        const names = { app: scope.app, environment: scope.environment, process };
        seen.idle.add(idleKey(names));
        idle = idleness.observe(names, await edge(), clock.nowMs(), current);
      }
      await decideAndApply({ appId, environmentId, process, spec, current, names: scope }, samples, idle);
    }
  };

  const decideAndApply = async (
    target: {
      appId: string;
      environmentId: string;
      process: string;
      spec: AutoscaleSpec;
      current: number;
      names: { app: string; environment: string };
    },
    samples: Parameters<typeof decideReplicas>[2],
    idle: IdleReading | undefined,
  ): Promise<void> => {
    const key = `${target.appId}/${target.environmentId}/${target.process}`;
    const nowMs = clock.nowMs();
    const { decision, history } = decideReplicas(
      target.spec,
      target.current,
      samples,
      histories.get(key) ?? emptyAutoscaleHistory,
      nowMs,
      idle,
    );
    histories.set(key, history);
    await store.autoscaleDecisions.insert(
      {
        id: deps.ids.next('asd'),
        appId: target.appId,
        environmentId: target.environmentId,
        process: target.process,
        atMs: nowMs,
        decision,
      },
      settings.decisionsKept,
    );
    if (decision.final === target.current) return;
    try {
      await scaleApp(deps, {
        ...target.names,
        processes: { [target.process]: decision.final },
        isRefusedDuringRollout: true,
      });
      logger.info(
        { ...target.names, process: target.process, from: target.current, to: decision.final, limit: decision.limit },
        'autoscaled',
      );
    } catch (error) {
      // A rollout began after the check: it owns the count now, and the next evaluation after it decides again.
      if (isSlipwayError(error) && error.code === 'DEPLOYMENT_IN_PROGRESS') return;
      throw error;
    }
  };

  const evaluateAll = async (): Promise<void> => {
    let edgeRead: Promise<EdgeMetrics | { error: string }> | undefined;
    const edge = () =>
      (edgeRead ??= deps.router.metrics().catch((error: unknown) => ({
        error: `the edge did not answer: ${error instanceof Error ? error.message : String(error)}`,
      })));
    const seen = { releases: new Set<string>(), histories: new Set<string>(), idle: new Set<string>() };
    for (const appEnvironment of await store.appEnvironments.list()) {
      try {
        await evaluateScope(appEnvironment, edge, seen);
      } catch (error) {
        logger.warn(
          { appId: appEnvironment.appId, environmentId: appEnvironment.environmentId, err: error },
          'autoscaler evaluation failed',
        );
      }
    }
    reader.retain(seen.releases);
    idleness.retain(seen.idle);
    for (const key of histories.keys()) if (!seen.histories.has(key)) histories.delete(key);
  };

  const loop = createPeriodicPass(evaluateAll, {
    intervalMs: settings.intervalMs,
    onFailure: (error) => logger.error({ err: error }, 'autoscaler pass failed'),
  });
  return { evaluate: loop.run, start: loop.start, stop: loop.stop };
}
