/**
 * The rolling strategy with Kubernetes' semantics: new instances surge within `maxSurge` (rounded up) while healthy
 * instances stay at or above desired − `maxUnavailable` (rounded down); every healthy instance takes an equal share
 * of traffic. One step whose desired state is worked out again from what runs on every controller pass, so a
 * restarted control plane carries on from what it finds.
 */
import type { ReleaseTarget, RolloutObservation, RolloutStrategy, StrategyDecision } from './rollout-model.js';
import { planRollingStep, resolveRollingBounds } from '../deployment/rolling-bounds.js';

export interface RollingSpec {
  maxSurge: number | string;
  maxUnavailable: number | string;
}

const none = { live: 0, healthy: 0, broken: 0, retiring: 0 };

/** Whether the rollout's release runs at full scale, healthy, with nothing of the stable release left. */
export function isRolledOut(observation: RolloutObservation): boolean {
  const { target, stable, scale } = observation;
  const isTargetReady = Object.entries(scale).every(
    ([process, replicas]) => (target.processes[process]?.healthy ?? 0) >= replicas,
  );
  const stableLeft = Object.values(stable?.processes ?? {}).reduce((sum, p) => sum + p.live, 0);
  return isTargetReady && stableLeft === 0;
}

/** The final desired state of any strategy: the rollout's release alone, at full scale, taking all traffic. */
export function finalTargets(observation: RolloutObservation, weight: number | null): ReleaseTarget[] {
  return [
    {
      releaseId: observation.target.releaseId,
      releaseNumber: observation.target.releaseNumber,
      scale: { ...observation.scale },
      weight,
      matches: [],
      isPreview: false,
    },
  ];
}

/** Everything back on the stable release at the scale it had (or full scale); the rollout's release goes. */
export function stableTargets(observation: RolloutObservation): ReleaseTarget[] {
  const { stable } = observation;
  if (stable === null) return [];
  return [
    {
      releaseId: stable.releaseId,
      releaseNumber: stable.releaseNumber,
      scale: { ...observation.scale },
      weight: null,
      matches: [],
      isPreview: false,
    },
  ];
}

export function createRollingStrategy(spec: RollingSpec): RolloutStrategy {
  const decide = (_stepIndex: number, observation: RolloutObservation): StrategyDecision => {
    const { target, stable, scale } = observation;
    if (isRolledOut(observation))
      return { targets: finalTargets(observation, null), gate: { kind: 'healthy' }, isFinal: true };
    const newScale: Record<string, number> = {};
    const oldScale: Record<string, number> = {};
    for (const [process, desired] of Object.entries(scale)) {
      const fresh = target.processes[process] ?? none;
      const old = stable?.processes[process] ?? none;
      const bounds = resolveRollingBounds(spec.maxSurge, spec.maxUnavailable, desired);
      const step = planRollingStep(
        {
          desired,
          newTotal: fresh.live,
          newHealthy: fresh.healthy,
          oldTotal: old.live,
          oldHealthy: old.healthy,
        },
        bounds,
      );
      newScale[process] = fresh.live + step.toStart;
      oldScale[process] = Math.max(0, old.live - step.toRetire);
    }
    // Process types the new release no longer has keep running until it is rolled out, as they did before.
    for (const [process, old] of Object.entries(stable?.processes ?? {}))
      if (!(process in scale)) oldScale[process] = old.live;
    const targets: ReleaseTarget[] = [
      {
        releaseId: target.releaseId,
        releaseNumber: target.releaseNumber,
        scale: newScale,
        weight: null,
        matches: [],
        isPreview: false,
      },
    ];
    if (stable !== null)
      targets.push({
        releaseId: stable.releaseId,
        releaseNumber: stable.releaseNumber,
        scale: oldScale,
        weight: null,
        matches: [],
        isPreview: false,
      });
    return { targets, gate: { kind: 'healthy' }, isFinal: true };
  };
  return {
    type: 'rolling',
    stickyCookie: null,
    steps: () => [{ index: 0, label: `rolling (maxSurge ${spec.maxSurge}, maxUnavailable ${spec.maxUnavailable})` }],
    decide,
    aborted: stableTargets,
  };
}
