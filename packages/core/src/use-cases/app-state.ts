/** Use cases on an app's running state: scale, releases, instances, logs, deployment events. */
import {
  SlipwayError,
  type DeploymentEvent,
  type InstanceView,
  type LogLineView,
  type ReleaseView,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { releaseCommandName } from '../domain/process-plan.js';
import type { AppEnvironmentRecord, InstanceRecord } from '../domain/records.js';
import { maskerForReleases } from '../secrets/secret-vault.js';
import { crashLoopOf, isCrashLooping } from './crash-loop.js';
import { followLogs } from './log-follow.js';
import { tailLogs } from './log-tail.js';
import { getAppScope, getDeployment } from './lookups.js';
import { releaseHistoryDeployments, releaseHistoryViews } from './release-history-views.js';
import { instanceView } from './views.js';

interface ScopeInput {
  app: string;
  environment: string;
}

/** Sets replicas per process type of the live release; the controller converges. Errors: `NO_RELEASE`, `PROCESS_TYPE_UNKNOWN`. */
export async function scaleApp(
  deps: CoreDeps,
  input: ScopeInput & {
    processes: Record<string, number>;
    /** Refuse with `DEPLOYMENT_IN_PROGRESS` while a rollout runs (the autoscaler never fights a rollout). */
    isRefusedDuringRollout?: boolean;
  },
): Promise<Record<string, number>> {
  const updated: AppEnvironmentRecord = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    if (
      input.isRefusedDuringRollout === true &&
      (await tx.rollouts.findActive(scope.appEnvironment.appId, scope.appEnvironment.environmentId)) !== undefined
    ) {
      throw new SlipwayError('DEPLOYMENT_IN_PROGRESS', `a rollout of "${input.app}" is in progress: the scale stays`);
    }
    const releaseId = scope.appEnvironment.currentReleaseId;
    const release = releaseId ? await tx.releases.findById(releaseId) : undefined;
    if (!release) throw new SlipwayError('NO_RELEASE', `"${input.app}" has no release yet: deploy it first`);
    const known = Object.keys(release.processes).filter((name) => name !== releaseCommandName);
    for (const name of Object.keys(input.processes)) {
      if (!known.includes(name)) {
        throw new SlipwayError(
          'PROCESS_TYPE_UNKNOWN',
          `release ${release.number} of "${input.app}" has no process "${name}" (it has: ${known.join(', ')})` +
            (name === releaseCommandName ? '; "release" is its release command, run once per release' : ''),
          {
            details: { process: name, known },
          },
        );
      }
    }
    return tx.appEnvironments.update({
      ...scope.appEnvironment,
      scale: { ...scope.appEnvironment.scale, ...input.processes },
      updatedAtMs: deps.clock.nowMs(),
    });
  });
  deps.logger.info({ app: input.app, scale: updated.scale }, 'app scaled');
  return updated.scale;
}

export async function listReleases(deps: CoreDeps, input: ScopeInput): Promise<ReleaseView[]> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const releases = await deps.store.releases.list(scope.app.id, scope.environment.id);
  const deployments = await deps.store.deployments.list(
    scope.app.id,
    scope.environment.id,
    releaseHistoryDeployments(releases.length),
  );
  return releaseHistoryViews(
    releases,
    deployments,
    { app: scope.app.name, environment: scope.environment.name },
    scope.appEnvironment.currentReleaseId,
  );
}

export async function listInstances(deps: CoreDeps, input: ScopeInput): Promise<InstanceView[]> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const instances = await deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id });
  const numbers = new Map(
    (await deps.store.releases.list(scope.app.id, scope.environment.id)).map((r) => [r.id, r.number]),
  );
  const names = { app: scope.app.name, environment: scope.environment.name };
  // Crash-loop reports quote the instance's output, which may print its own secrets: they are masked.
  const mask = await maskerForReleases(
    deps,
    instances.filter((i) => isCrashLooping(i, deps.settings)).map((i) => i.releaseId),
  );
  return Promise.all(
    instances.map(async (i) => ({
      ...instanceView(i, names, numbers.get(i.releaseId) ?? 0, await crashLoopOf(deps, i, mask)),
      usage: await usageOf(deps, i),
    })),
  );
}

/** What a serving instance uses now, as its runtime measures it; null when it is not running or its runtime does not answer. */
async function usageOf(deps: CoreDeps, instance: InstanceRecord): Promise<InstanceView['usage']> {
  if (!['starting', 'healthy', 'unhealthy'].includes(instance.state)) return null;
  try {
    const stats = await deps.runtimes.find(instance.runtime)?.stats(instance.id);
    return stats === undefined ? null : { ...stats, cpus: Math.round(stats.cpus * 1000) / 1000 };
  } catch {
    return null;
  }
}

/**
 * Output of the app's instances: without `follow`, the lines of `tailLogs` (bounded as a whole); with it, `followLogs`
 * (the backlog in time order, then new lines of every instance, as instances come and go). An app may print its own
 * secrets; the values its releases carry are masked (`***`), since a `viewer` may read logs.
 */
export async function* streamLogs(
  deps: CoreDeps,
  input: ScopeInput & { tail: number; follow: boolean; process?: string; signal?: AbortSignal },
): AsyncGenerator<LogLineView> {
  if (!input.follow) {
    for await (const item of tailLogs(deps, input)) if (item.kind === 'line') yield item.line;
    return;
  }
  yield* followLogs(deps, input);
}

/** Stored events of a deployment after `afterSeq`, as wire events. */
export async function readDeploymentEvents(
  deps: CoreDeps,
  deploymentId: string,
  afterSeq: number,
  limit = 1000,
): Promise<DeploymentEvent[]> {
  await getDeployment(deps.store, deploymentId);
  const events = await deps.store.events.list(deploymentId, afterSeq, limit);
  return events.map(
    (e) => ({ ...e.payload, type: e.type, seq: e.seq, at: new Date(e.atMs).toISOString() }) as DeploymentEvent,
  );
}
