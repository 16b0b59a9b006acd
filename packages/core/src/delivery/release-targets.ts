/**
 * The desired-state arithmetic blue-green and canary share: the stable release's full scale, a canary's proportional
 * scale, and the traffic split of a step — which never gives a release more traffic than it took before while its
 * instances for the step are not all healthy, so a split never routes a share to instances still starting.
 */
import type { TrafficMatch } from '@slipway/contract';
import type { ReleaseObservation, ReleaseTarget, RolloutObservation } from './rollout-model.js';

type Scale = Record<string, number>;

/**
 * The stable release's instances per process type at full scale: as the desired state in force has them (the stable
 * release stays at full scale until a rollout ends), else the environment's scale for the process types it runs.
 */
export function stableScaleOf(observation: RolloutObservation): Scale {
  const { stable } = observation;
  if (stable === null) return {};
  const inForce = observation.current.find((t) => t.releaseId === stable.releaseId);
  if (inForce !== undefined && Object.values(inForce.scale).some((n) => n > 0)) return { ...inForce.scale };
  const types = Object.keys(stable.processes);
  if (types.length === 0) return { ...observation.scale };
  return Object.fromEntries(types.map((t) => [t, observation.scale[t] ?? stable.processes[t]?.live ?? 0]));
}

/**
 * A canary's instances per process type for a traffic share of `weightPercent`: in proportion to the full scale,
 * rounded to the nearest whole instance (41 % of 10 is 4, as Argo Rollouts does), at least one of each type that runs
 * at all, at most the full scale. With `isReachable` false (no traffic, no header route) none.
 */
export function proportionalScale(fullScale: Readonly<Scale>, weightPercent: number, isReachable: boolean): Scale {
  return Object.fromEntries(
    Object.entries(fullScale).map(([type, full]) => {
      if (!isReachable || full <= 0) return [type, 0];
      return [type, Math.min(full, Math.max(1, Math.round((full * weightPercent) / 100)))];
    }),
  );
}

/** Whether every instance `scale` wants of the release is healthy. */
export function isReady(release: ReleaseObservation, scale: Readonly<Scale>): boolean {
  return Object.entries(scale).every(([type, wanted]) => (release.processes[type]?.healthy ?? 0) >= wanted);
}

/** The share of traffic the desired state in force gives a release (0 when it is not in it). */
export function weightInForce(observation: RolloutObservation, releaseId: string): number {
  return observation.current.find((t) => t.releaseId === releaseId)?.weight ?? 0;
}

export interface SplitRequest {
  /** Instances of the new release this step wants. */
  newScale: Scale;
  /** Percent of traffic the step gives the new release. */
  newWeight: number;
  matches: TrafficMatch[];
  /** Whether the new release is also reachable on the preview host while it takes less than all traffic. */
  isPreview: boolean;
  /** Keep the stable release at full scale even when the new one takes all traffic (until the rollout ends). */
  keepsStable: boolean;
}

/**
 * The targets of one step: the stable release at full scale with the rest of the traffic, the new release with its
 * share. A share larger than the one in force waits until the new release's instances for the step are all healthy;
 * a smaller one applies at once. The stable release leaves only once the new one takes everything, ready.
 */
export function splitTargets(observation: RolloutObservation, request: SplitRequest): ReleaseTarget[] {
  const { target, stable } = observation;
  const weight = isReady(target, request.newScale)
    ? request.newWeight
    : Math.min(request.newWeight, weightInForce(observation, target.releaseId));
  const next: ReleaseTarget = {
    ...identify(target),
    scale: request.newScale,
    weight,
    matches: request.matches,
    isPreview: request.isPreview && weight < 100,
  };
  if (stable === null) return allOnNewRelease(observation);
  if (weight === 100 && !request.keepsStable) return [next];
  return [stableTarget(observation, stable, 100 - weight), next];
}

/** The stable release at full scale with `weight` percent of the traffic. */
export function stableTarget(
  observation: RolloutObservation,
  stable: ReleaseObservation,
  weight: number,
): ReleaseTarget {
  return { ...identify(stable), scale: stableScaleOf(observation), weight, matches: [], isPreview: false };
}

/** Every process type the new release runs at full scale, with all traffic: what a first deploy goes straight to. */
export function allOnNewRelease(observation: RolloutObservation): ReleaseTarget[] {
  return [
    { ...identify(observation.target), scale: { ...observation.scale }, weight: 100, matches: [], isPreview: false },
  ];
}

/** The step index a strategy acts on: out-of-range indexes (a resumed rollout, `promote --full`) clamp to its steps. */
export function clampStep(stepIndex: number, stepCount: number): number {
  return Math.min(Math.max(0, Math.floor(Number.isFinite(stepIndex) ? stepIndex : 0)), stepCount - 1);
}

const identify = (release: ReleaseObservation) => ({
  releaseId: release.releaseId,
  releaseNumber: release.releaseNumber,
});
