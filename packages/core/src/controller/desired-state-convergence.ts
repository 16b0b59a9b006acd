/**
 * Converges one app environment's instances to its desired state: each release target gets its scale per process
 * type (missing instances started, surplus retired worst first), and every live instance no target claims is retired
 * through the fleet (out of the router, drained, stopped). During a rollout the rollout decides which target an
 * instance belongs to (a restart's new instances are the ones its deployment started), and starts carry its
 * deployment id.
 */
import { isSlipwayError, type SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ReleaseTarget, RolloutRecord } from '../delivery/rollout-model.js';
import { isLiveInstance, pairTargets, sideOf } from '../delivery/rollout-observation.js';
import type { InstanceRecord } from '../domain/records.js';
import type { Fleet, InstanceScope } from './fleet.js';

const retireOrder: Record<InstanceRecord['state'], number> = {
  crashed: 0,
  unhealthy: 1,
  starting: 2,
  healthy: 3,
  draining: 4,
  stopping: 4,
  stopped: 4,
};

/** The index of the target an instance belongs to, or -1 when none claims it. */
export function targetIndexOf(
  targets: readonly ReleaseTarget[],
  rollout: RolloutRecord | undefined,
  instance: InstanceRecord,
): number {
  if (rollout === undefined) return targets.findIndex((t) => t.releaseId === instance.releaseId);
  const pair = pairTargets(rollout, targets);
  switch (sideOf(rollout, instance)) {
    case 'target':
      return pair.target;
    case 'stable':
      return pair.stable;
    case 'outside':
      return targets.findIndex(
        (t, index) => index !== pair.target && index !== pair.stable && t.releaseId === instance.releaseId,
      );
  }
}

export interface ConvergenceResult {
  started: InstanceRecord[];
  retired: InstanceRecord[];
  /** A start of the rollout's release the runtime refused (the fleet recorded the instance crashed). */
  rolloutStartError?: SlipwayError;
}

/**
 * Starts and retires instances until each target runs at its scale. Starts are awaited one by one (a pass never
 * starts twice what is missing); retires run in the background (the fleet makes them idempotent), and an instance
 * being retired no longer counts.
 */
export async function convergeToTargets(
  deps: Pick<CoreDeps, 'logger'>,
  fleet: Fleet,
  scope: InstanceScope,
  targets: readonly ReleaseTarget[],
  instances: readonly InstanceRecord[],
  rollout: RolloutRecord | undefined,
): Promise<ConvergenceResult> {
  const result: ConvergenceResult = { started: [], retired: [] };
  const live = instances.filter((i) => isLiveInstance(i, (id) => fleet.isRetiring(id)));
  const retire = (instance: InstanceRecord): void => {
    result.retired.push(instance);
    fleet.background.run('instance retire', () => fleet.retireInstance(instance.id), {
      key: instance.id,
      instanceId: instance.id,
    });
  };
  const claimed = new Set<string>();
  const rolloutTarget = rollout === undefined ? -1 : pairTargets(rollout, targets).target;
  for (const [index, target] of targets.entries()) {
    const mine = live.filter((i) => targetIndexOf(targets, rollout, i) === index);
    const release = await fleet.getReleaseCached(target.releaseId);
    for (const [process, replicas] of Object.entries(target.scale)) {
      const ofProcess = mine.filter((i) => i.process === process);
      for (const instance of ofProcess) claimed.add(instance.id);
      if (ofProcess.length > replicas) {
        const surplus = [...ofProcess].sort(
          (a, b) => retireOrder[a.state] - retireOrder[b.state] || b.id.localeCompare(a.id),
        );
        for (const instance of surplus.slice(0, ofProcess.length - replicas)) retire(instance);
        continue;
      }
      if (release === undefined) continue;
      for (let n = ofProcess.length; n < replicas; n += 1) {
        const deploymentId = rollout !== undefined && index === rolloutTarget ? rollout.deploymentId : null;
        try {
          result.started.push(await fleet.startInstance(scope, release, process, deploymentId));
        } catch (error) {
          deps.logger.warn({ app: scope.app.name, process, err: error }, 'instance start failed');
          if (deploymentId !== null && isSlipwayError(error)) result.rolloutStartError ??= error;
          break;
        }
      }
    }
  }
  for (const instance of live) if (!claimed.has(instance.id)) retire(instance);
  return result;
}
