/**
 * What runs of a rollout's releases, as its strategy and gates see it, and which instance belongs to which release
 * target. A restart rolls a release out over itself: its instances started by the rollout's deployment are the new
 * ones, the others of the same release the stable ones.
 */
import type { InstanceRecord } from '../domain/records.js';
import type {
  ProcessObservation,
  ReleaseObservation,
  ReleaseTarget,
  RolloutObservation,
  RolloutRecord,
} from './rollout-model.js';

export type InstanceSide = 'target' | 'stable' | 'outside';

/** Live: not on its way out (draining, stopping, stopped) and no retire of it under way in this process. */
export function isLiveInstance(instance: InstanceRecord, isRetiring: (id: string) => boolean): boolean {
  return (
    instance.state !== 'draining' &&
    instance.state !== 'stopping' &&
    instance.state !== 'stopped' &&
    !isRetiring(instance.id)
  );
}

export function isRestartRollout(rollout: Pick<RolloutRecord, 'releaseId' | 'stableReleaseId'>): boolean {
  return rollout.releaseId === rollout.stableReleaseId;
}

/** Which side of the rollout an instance is on. */
export function sideOf(
  rollout: Pick<RolloutRecord, 'releaseId' | 'stableReleaseId' | 'deploymentId'>,
  instance: InstanceRecord,
): InstanceSide {
  if (instance.releaseId === rollout.releaseId) {
    if (!isRestartRollout(rollout) || instance.deploymentId === rollout.deploymentId) return 'target';
    return 'stable';
  }
  return instance.releaseId === rollout.stableReleaseId ? 'stable' : 'outside';
}

/**
 * The indexes of the rollout's release and of the stable release among the targets: in a restart both name one
 * release, the first being the rollout's.
 */
export function pairTargets(
  rollout: Pick<RolloutRecord, 'releaseId' | 'stableReleaseId'>,
  targets: readonly ReleaseTarget[],
): { target: number; stable: number } {
  const target = targets.findIndex((t) => t.releaseId === rollout.releaseId);
  const stable = targets.findIndex((t, index) => index !== target && t.releaseId === rollout.stableReleaseId);
  return { target, stable };
}

/** A crash-looping instance, or one failing its check, that has never been healthy. */
export function isBroken(instance: InstanceRecord, crashLoopRestarts: number): boolean {
  if (instance.healthyAtMs !== null) return false;
  return (instance.state === 'crashed' && instance.restarts + 1 >= crashLoopRestarts) || instance.state === 'unhealthy';
}

export interface ObservationInputs {
  rollout: RolloutRecord;
  instances: readonly InstanceRecord[];
  targetReleaseNumber: number;
  stableReleaseNumber: number | null;
  scale: Record<string, number>;
  current: readonly ReleaseTarget[];
  nowMs: number;
  isRetiring: (id: string) => boolean;
  crashLoopRestarts: number;
}

export function observeRollout(inputs: ObservationInputs): RolloutObservation {
  const { rollout } = inputs;
  const release = (releaseId: string, releaseNumber: number): ReleaseObservation => ({
    releaseId,
    releaseNumber,
    processes: {},
  });
  const target = release(rollout.releaseId, inputs.targetReleaseNumber);
  const stable =
    rollout.stableReleaseId === null ? null : release(rollout.stableReleaseId, inputs.stableReleaseNumber ?? 0);
  let outside = 0;
  for (const instance of inputs.instances) {
    // A `stopping` instance is out of the router and drained: it no longer counts, even while its runtime has yet to
    // stop it (an engine that does not answer); the controller finishes that stop.
    if (instance.state === 'stopped' || instance.state === 'stopping') continue;
    const side = sideOf(rollout, instance);
    const observed = side === 'target' ? target : side === 'stable' ? stable : null;
    if (observed === null) {
      outside += 1;
      continue;
    }
    const counts: ProcessObservation = (observed.processes[instance.process] ??= {
      live: 0,
      healthy: 0,
      broken: 0,
      retiring: 0,
    });
    if (!isLiveInstance(instance, inputs.isRetiring)) {
      counts.retiring += 1;
      continue;
    }
    counts.live += 1;
    if (instance.state === 'healthy') counts.healthy += 1;
    if (isBroken(instance, inputs.crashLoopRestarts)) counts.broken += 1;
  }
  return { nowMs: inputs.nowMs, target, stable, scale: inputs.scale, current: inputs.current, outside };
}
