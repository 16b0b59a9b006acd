/** What `slipway autoscale status` shows: per autoscaled process type its bounds, metrics, count and recent decisions. */
import type { AutoscaleStatus } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { resolveProcesses } from '../domain/process-plan.js';
import { getAppScope } from '../use-cases/lookups.js';

export async function getAutoscaleStatus(
  deps: Pick<CoreDeps, 'store'>,
  input: { app: string; environment: string; limit: number },
): Promise<AutoscaleStatus> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const { appEnvironment } = scope;
  const release =
    appEnvironment.currentReleaseId === null
      ? undefined
      : await deps.store.releases.findById(appEnvironment.currentReleaseId);
  const base = { app: scope.app.name, environment: scope.environment.name };
  if (release === undefined) return { ...base, processes: [] };
  const resolved = resolveProcesses(release.processes, release.manifest, appEnvironment.scale);
  const isRolloutActive =
    (await deps.store.rollouts.findActive(appEnvironment.appId, appEnvironment.environmentId)) !== undefined;
  const processes: AutoscaleStatus['processes'] = [];
  for (const [process, spec] of Object.entries(release.manifest.processes ?? {})) {
    if (spec.autoscale === undefined) continue;
    const records = await deps.store.autoscaleDecisions.list(appEnvironment.appId, appEnvironment.environmentId, {
      process,
      limit: input.limit,
    });
    processes.push({
      process,
      min: spec.autoscale.min,
      max: spec.autoscale.max,
      metrics: spec.autoscale.metrics,
      ...(spec.autoscale.scaleToZero === undefined ? {} : { scaleToZero: spec.autoscale.scaleToZero }),
      replicas: resolved.find((p) => p.name === process)?.replicas ?? 0,
      isRolloutActive,
      decisions: records.map(({ decision: { atMs, ...rest } }) => ({ ...rest, at: new Date(atMs).toISOString() })),
    });
  }
  return { ...base, processes };
}
