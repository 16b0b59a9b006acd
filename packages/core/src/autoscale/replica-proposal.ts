/**
 * What one metric asks for: the HorizontalPodAutoscaler's replica calculation (kubernetes/kubernetes
 * pkg/controller/podautoscaler/replica_calculator.go), with its tolerance, its missing-metric rule (an instance
 * without a value counts as at the target on a scale-down and as idle on a scale-up) and its not-ready rule (an
 * instance not yet healthy is set aside, and counts as idle when the others ask for more).
 */
import type { AutoscaleMetricType } from '@slipway/contract';

export interface InstanceSample {
  instanceId: string;
  /** Healthy: it takes traffic. One still starting is what Kubernetes calls a pod that is not ready. */
  isReady: boolean;
  /** The metric's value for this instance (CPU in percent of its limit, requests per instance); undefined when missing. */
  value: number | undefined;
}

/** A ratio inside [1 - scaleDown, 1 + scaleUp] changes nothing. */
export interface Tolerances {
  scaleUp: number;
  scaleDown: number;
}

export interface MetricProposal {
  metric: AutoscaleMetricType;
  target: number;
  /** The unadjusted average over the ready instances that have a value (what the HPA reports as current); null without one. */
  current: number | null;
  /** current / target, or null. */
  ratio: number | null;
  /** The instances this metric asks for; null when it could not be computed (then `reasoning` says why). */
  proposal: number | null;
  readyCount: number;
  missingCount: number;
  notReadyCount: number;
  reasoning: string;
}

export function isWithinTolerance(ratio: number, tolerances: Tolerances): boolean {
  return 1 - tolerances.scaleDown <= ratio && ratio <= 1 + tolerances.scaleUp;
}

/**
 * The replicas one metric proposes for `currentReplicas` (the count the autoscaler set, which may differ from the
 * instances sampled while some start or stop), given each instance's sample.
 */
export function proposeReplicas(
  metric: AutoscaleMetricType,
  target: number,
  samples: readonly InstanceSample[],
  currentReplicas: number,
  tolerances: Tolerances,
): MetricProposal {
  const ready: number[] = [];
  let missingCount = 0;
  let notReadyCount = 0;
  for (const sample of samples) {
    if (!sample.isReady) notReadyCount += 1;
    else if (sample.value === undefined || !Number.isFinite(sample.value)) missingCount += 1;
    else ready.push(sample.value);
  }
  const base = { metric, target, readyCount: ready.length, missingCount, notReadyCount };
  if (ready.length === 0) {
    return { ...base, current: null, ratio: null, proposal: null, reasoning: 'no ready instance has a value' };
  }
  const current = sum(ready) / ready.length;
  const usageRatio = current / target;
  const result = (proposal: number, reasoning: string): MetricProposal => ({
    ...base,
    current,
    ratio: usageRatio,
    proposal,
    reasoning,
  });

  const scaleUpWithNotReady = notReadyCount > 0 && usageRatio > 1;
  if (!scaleUpWithNotReady && missingCount === 0) {
    if (isWithinTolerance(usageRatio, tolerances)) {
      return result(currentReplicas, `ratio ${round(usageRatio)} is within the tolerance: no change`);
    }
    const proposal = Math.ceil(usageRatio * ready.length);
    return result(proposal, `ceil(${round(usageRatio)} × ${ready.length} ready) = ${proposal}`);
  }

  // Fill in the instances set aside, so the direction is only taken when it holds for them too.
  const values = [...ready];
  const adjustments: string[] = [];
  if (missingCount > 0) {
    if (usageRatio < 1) {
      for (let i = 0; i < missingCount; i += 1) values.push(target);
      adjustments.push(`${missingCount} without a value counted at the target (scale-down)`);
    } else if (usageRatio > 1) {
      for (let i = 0; i < missingCount; i += 1) values.push(0);
      adjustments.push(`${missingCount} without a value counted as idle (scale-up)`);
    }
  }
  if (scaleUpWithNotReady) {
    for (let i = 0; i < notReadyCount; i += 1) values.push(0);
    adjustments.push(`${notReadyCount} not ready counted as idle (scale-up)`);
  }
  const newRatio = sum(values) / values.length / target;
  const what = `${adjustments.join(', ')}: adjusted ratio ${round(newRatio)}`;
  if (isWithinTolerance(newRatio, tolerances) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) {
    return result(currentReplicas, `${what} is within the tolerance or reverses the direction: no change`);
  }
  const proposal = Math.ceil(newRatio * values.length);
  if ((newRatio < 1 && proposal > currentReplicas) || (newRatio > 1 && proposal < currentReplicas)) {
    return result(currentReplicas, `${what}; ceil gives ${proposal}, against the direction: no change`);
  }
  return result(proposal, `${what}; ceil(${round(newRatio)} × ${values.length}) = ${proposal}`);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
