/**
 * The canary strategy: the manifest's steps in order, then one last step that moves all traffic to the new release.
 * Each step's desired state follows from the steps up to it — the last `setWeight` gives the canary its exact share
 * (instances in proportion, at least one) and every `setHeaderRoute` so far sends its requests to the canary — while
 * the stable release stays at full scale until the end. Pure: the engine persists the step index.
 */
import { SlipwayError } from '@slipway/contract';
import type { CanaryStepSpec, CanaryStrategySpec, HeaderRouteSpec, Strategy, TrafficMatch } from '@slipway/contract';
import { allOnNewRelease, clampStep, proportionalScale, splitTargets, stableTarget } from './release-targets.js';
import type { Gate, RolloutObservation, RolloutStrategy, StepDescription, StrategyDecision } from './rollout-model.js';
import { describeTrafficMatch, formatWaitSeconds } from './step-labels.js';

/** A canary step as the strategy runs it; `promote` is the last one, which the manifest does not write. */
export type CanaryStep =
  | { kind: 'setWeight'; weight: number }
  | { kind: 'pause'; durationMs: number | null }
  | { kind: 'analysis'; gate: Extract<Gate, { kind: 'analysis' }> }
  | { kind: 'approval'; timeoutMs: number | null }
  | { kind: 'setHeaderRoute'; match: TrafficMatch }
  | { kind: 'promote' };

export interface CanaryStrategy extends RolloutStrategy {
  readonly type: 'canary';
  /**
   * The cookie the edge keeps a client on its release with while that release's weight does not go down (the route
   * split's `stickyCookie`); null: no stickiness.
   */
  readonly stickyCookie: string | null;
}

/** Builds the strategy of one canary spec (`slipway.yaml`'s `strategy` with `type: canary`, parsed). */
export function createCanaryStrategy(spec: CanaryStrategySpec): CanaryStrategy {
  const steps: CanaryStep[] = [...spec.steps.map((step, index) => canaryStepOf(step, index)), { kind: 'promote' }];
  const descriptions = steps.map((step, index) => ({ index, label: labelOf(step) }));
  // What each step leaves in force: the last weight set, and every header route so far (each once).
  const traffic = steps.map((_, index) => trafficAt(steps, index));

  return {
    type: 'canary',
    stickyCookie: spec.stickyCookie,
    steps: (): StepDescription[] => descriptions.map((d) => ({ ...d })),
    decide(stepIndex: number, observation: RolloutObservation): StrategyDecision {
      // A first deploy has nothing to compare the canary with: it goes straight to the end.
      if (observation.stable === null) return { targets: allOnNewRelease(observation), gate: healthy, isFinal: true };
      const index = clampStep(stepIndex, steps.length);
      const step = steps[index] ?? { kind: 'promote' };
      if (step.kind === 'promote') {
        const targets = splitTargets(observation, {
          newScale: { ...observation.scale },
          newWeight: 100,
          matches: traffic[index - 1]?.matches ?? [],
          isPreview: false,
          keepsStable: false,
        });
        // Until the new release takes everything, the header routes of the last step keep reaching it; then none.
        const settled = targets.length === 1 ? targets.map((t) => ({ ...t, matches: [] })) : targets;
        return { targets: settled, gate: healthy, isFinal: true };
      }
      const { weight, matches } = traffic[index] ?? { weight: 0, matches: [] };
      const targets = splitTargets(observation, {
        newScale: proportionalScale(observation.scale, weight, weight > 0 || matches.length > 0),
        newWeight: weight,
        matches,
        isPreview: false,
        keepsStable: true,
      });
      return { targets, gate: gateOf(step), isFinal: false };
    },
    aborted(observation: RolloutObservation) {
      const { stable } = observation;
      return stable === null ? [] : [stableTarget(observation, stable, 100)];
    },
  };
}

/**
 * The sticky cookie a release's strategy asks the edge for: a canary's (default `slipway-canary`, null when it
 * disables it); none for the other strategies, whose splits are all or nothing.
 */
export function stickyCookieOf(strategy: Strategy | undefined): string | null {
  return strategy?.type === 'canary' ? strategy.stickyCookie : null;
}

const healthy: Gate = { kind: 'healthy' };

function canaryStepOf(step: CanaryStepSpec, index: number): CanaryStep {
  if (step.setWeight !== undefined) return { kind: 'setWeight', weight: step.setWeight };
  if (step.pause !== undefined) {
    const seconds = step.pause?.durationSeconds;
    return { kind: 'pause', durationMs: seconds === undefined ? null : seconds * 1000 };
  }
  if (step.analysis !== undefined)
    return {
      kind: 'analysis',
      gate: { kind: 'analysis', name: step.analysis.metrics.map((m) => m.name).join(', '), spec: step.analysis },
    };
  if (step.approval !== undefined) {
    const seconds = step.approval?.timeoutSeconds;
    return { kind: 'approval', timeoutMs: seconds === undefined ? null : seconds * 1000 };
  }
  if (step.setHeaderRoute !== undefined) return { kind: 'setHeaderRoute', match: trafficMatchOf(step.setHeaderRoute) };
  // The schema lets through exactly one kind per step: only a manifest that was never checked gets here.
  throw new SlipwayError('MANIFEST_INVALID', `slipway.yaml is invalid: strategy.steps.${index}: a step needs one kind`);
}

function trafficMatchOf(route: HeaderRouteSpec): TrafficMatch {
  return route.cookie !== undefined
    ? { cookie: route.cookie, value: route.value }
    : { header: route.header ?? '', value: route.value, kind: route.kind ?? 'exact' };
}

function trafficAt(steps: readonly CanaryStep[], index: number): { weight: number; matches: TrafficMatch[] } {
  let weight = 0;
  const matches: TrafficMatch[] = [];
  const seen = new Set<string>();
  for (const step of steps.slice(0, index + 1)) {
    if (step.kind === 'setWeight') weight = step.weight;
    if (step.kind === 'setHeaderRoute') {
      const key = JSON.stringify(step.match);
      if (!seen.has(key)) matches.push(step.match);
      seen.add(key);
    }
  }
  return { weight, matches };
}

function gateOf(step: Exclude<CanaryStep, { kind: 'promote' }>): Gate {
  switch (step.kind) {
    case 'setWeight':
    case 'setHeaderRoute':
      return healthy;
    case 'pause':
      return { kind: 'pause', durationMs: step.durationMs, pauseReason: 'step' };
    case 'analysis':
      return step.gate;
    case 'approval':
      return { kind: 'approval', timeoutMs: step.timeoutMs };
  }
}

function labelOf(step: CanaryStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return step.durationMs === null ? 'pause until promoted' : `pause ${formatWaitSeconds(step.durationMs / 1000)}`;
    case 'analysis':
      return `analysis ${step.gate.name}`;
    case 'approval':
      return step.timeoutMs === null
        ? 'approval'
        : `approval (rejected after ${formatWaitSeconds(step.timeoutMs / 1000)})`;
    case 'setHeaderRoute':
      return `setHeaderRoute ${describeTrafficMatch(step.match)}`;
    case 'promote':
      return 'promote: all traffic to the new release';
  }
}
