/**
 * The HorizontalPodAutoscaler's `behavior`: stabilisation of recommendations over a window, and the rate limits of
 * the scaling policies over their periods (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go:
 * stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate, storeScaleEvent). Pure: the history
 * comes in and goes out.
 */
import type { AutoscaleBehavior, ScalingRules } from '@slipway/contract';

export interface TimedRecommendation {
  atMs: number;
  replicas: number;
}

export interface ScaleEvent {
  atMs: number;
  /** Instances added (in `up`) or removed (in `down`), always positive. */
  change: number;
  /** Older than the longest policy period of its direction: the next event of that direction takes its place. */
  isOutdated: boolean;
}

/** What the autoscaler remembers of one process type between evaluations. */
export interface AutoscaleHistory {
  recommendations: TimedRecommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const emptyAutoscaleHistory: AutoscaleHistory = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };

/** A bound on each list; the windows and periods (at most an hour) hold far fewer at one evaluation per second. */
export const maxHistoryEntries = 4000;

export type LimitReason =
  'DesiredWithinRange' | 'ScaleUpLimit' | 'TooManyReplicas' | 'ScaleDownLimit' | 'TooFewReplicas';

/**
 * Scale-up takes the lowest recommendation of its window, scale-down the highest of its own, and the current count
 * stays when it lies between them. Records `desired` (unstabilised) in the history it returns.
 */
export function stabilise(
  behavior: AutoscaleBehavior,
  history: AutoscaleHistory,
  currentReplicas: number,
  desired: number,
  nowMs: number,
): { stabilised: number; recommendations: TimedRecommendation[] } {
  const upCutoffMs = nowMs - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoffMs = nowMs - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = desired;
  let downRecommendation = desired;
  let oldIndex = -1;
  for (const [index, recommendation] of history.recommendations.entries()) {
    if (recommendation.atMs > upCutoffMs) upRecommendation = Math.min(recommendation.replicas, upRecommendation);
    if (recommendation.atMs > downCutoffMs) downRecommendation = Math.max(recommendation.replicas, downRecommendation);
    if (recommendation.atMs < upCutoffMs && recommendation.atMs < downCutoffMs) oldIndex = index;
  }
  let stabilised = currentReplicas;
  if (stabilised < upRecommendation) stabilised = upRecommendation;
  if (stabilised > downRecommendation) stabilised = downRecommendation;
  const recommendations = [...history.recommendations];
  if (oldIndex >= 0) recommendations[oldIndex] = { atMs: nowMs, replicas: desired };
  else recommendations.push({ atMs: nowMs, replicas: desired });
  return { stabilised, recommendations: recommendations.slice(-maxHistoryEntries) };
}

/** Instances changed by the events of the last `periodSeconds`. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  const cutoffMs = nowMs - periodSeconds * 1000;
  let change = 0;
  for (const event of events) if (event.atMs > cutoffMs) change += event.change;
  return change;
}

/** The most instances the scale-up policies allow now (`Max` picks the largest change, `Min` the smallest). */
export function scaleUpLimit(rules: ScalingRules, currentReplicas: number, history: AutoscaleHistory, nowMs: number) {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const periodStart =
      currentReplicas -
      changeInPeriod(policy.periodSeconds, history.scaleUpEvents, nowMs) +
      changeInPeriod(policy.periodSeconds, history.scaleDownEvents, nowMs);
    // Rounded up, or a small count would never grow by a percentage.
    const proposed =
      policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest instances the scale-down policies allow now (`Max` picks the largest change, `Min` the smallest). */
export function scaleDownLimit(rules: ScalingRules, currentReplicas: number, history: AutoscaleHistory, nowMs: number) {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const periodStart =
      currentReplicas -
      changeInPeriod(policy.periodSeconds, history.scaleUpEvents, nowMs) +
      changeInPeriod(policy.periodSeconds, history.scaleDownEvents, nowMs);
    // Truncated, as Kubernetes converts to int32: 72 less 10 % is 64 (7.2 rounds up to 8 instances removed).
    const proposed =
      policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** Applies the policies' rate limits and the min/max bounds to a stabilised recommendation. */
export function limitRate(
  behavior: AutoscaleBehavior,
  bounds: { min: number; max: number },
  history: AutoscaleHistory,
  currentReplicas: number,
  desired: number,
  nowMs: number,
): { policyLimited: number; final: number; limit: LimitReason } {
  if (desired > currentReplicas) {
    // Until the period's events age out, the limit never goes below the current count.
    const rateLimit = Math.max(scaleUpLimit(behavior.scaleUp, currentReplicas, history, nowMs), currentReplicas);
    const policyLimited = Math.min(desired, rateLimit);
    const final = Math.min(policyLimited, bounds.max);
    const limit: LimitReason =
      final === desired ? 'DesiredWithinRange' : rateLimit < bounds.max ? 'ScaleUpLimit' : 'TooManyReplicas';
    return { policyLimited, final, limit };
  }
  if (desired < currentReplicas) {
    const rateLimit = Math.min(scaleDownLimit(behavior.scaleDown, currentReplicas, history, nowMs), currentReplicas);
    const policyLimited = Math.max(desired, rateLimit);
    const final = Math.max(policyLimited, bounds.min);
    const limit: LimitReason =
      final === desired ? 'DesiredWithinRange' : rateLimit > bounds.min ? 'ScaleDownLimit' : 'TooFewReplicas';
    return { policyLimited, final, limit };
  }
  return { policyLimited: desired, final: desired, limit: 'DesiredWithinRange' };
}

/** Records a change of scale in its direction's events (an outdated event's place is taken first). */
export function recordScaleEvent(
  behavior: AutoscaleBehavior,
  history: AutoscaleHistory,
  previousReplicas: number,
  newReplicas: number,
  nowMs: number,
): AutoscaleHistory {
  if (newReplicas === previousReplicas) return history;
  const isUp = newReplicas > previousReplicas;
  const rules = isUp ? behavior.scaleUp : behavior.scaleDown;
  const longestPeriodSeconds = Math.max(...rules.policies.map((p) => p.periodSeconds));
  const cutoffMs = nowMs - longestPeriodSeconds * 1000;
  const events = (isUp ? history.scaleUpEvents : history.scaleDownEvents).map((e) =>
    e.atMs < cutoffMs ? { ...e, isOutdated: true } : e,
  );
  const event: ScaleEvent = { atMs: nowMs, change: Math.abs(newReplicas - previousReplicas), isOutdated: false };
  const outdated = events.findIndex((e) => e.isOutdated);
  if (outdated >= 0) events[outdated] = event;
  else events.push(event);
  const bounded = events.slice(-maxHistoryEntries);
  return isUp ? { ...history, scaleUpEvents: bounded } : { ...history, scaleDownEvents: bounded };
}
