/**
 * The blue-green strategy, in Argo Rollouts' documented order: the new release starts at full scale beside the
 * stable one with no traffic but its preview host's → pre-promotion analysis → a pause until promoted (or for
 * `autoPromoteAfterSeconds`) → one atomic switch of all traffic, the old release kept at full scale → post-promotion
 * analysis (failing, the engine aborts: traffic switches back at once) → the old release kept warm for
 * `scaleDownDelaySeconds` → scaled to nothing. Pure: the engine persists the step index.
 */
import type { BlueGreenStrategySpec } from '@slipway/contract';
import type { CoreSettings } from '../core-deps.js';
import { defaultHost } from '../deployment/release-routes.js';
import type { AppRecord, EnvironmentRecord } from '../domain/records.js';
import { allOnNewRelease, clampStep, splitTargets, stableTarget } from './release-targets.js';
import type {
  Gate,
  ReleaseTarget,
  RolloutObservation,
  RolloutStrategy,
  StepDescription,
  StrategyDecision,
} from './rollout-model.js';
import { formatWaitSeconds } from './step-labels.js';

type BlueGreenStep =
  | { kind: 'preview' }
  | { kind: 'pre-promotion-analysis'; gate: Extract<Gate, { kind: 'analysis' }> }
  | { kind: 'promotion'; durationMs: number | null }
  | { kind: 'switch' }
  | { kind: 'post-promotion-analysis'; gate: Extract<Gate, { kind: 'analysis' }> }
  | { kind: 'scale-down-delay'; durationMs: number }
  | { kind: 'scale-down' };

export interface BlueGreenStrategy extends RolloutStrategy {
  readonly type: 'blue-green';
}

/** Builds the strategy of one blue-green spec (`slipway.yaml`'s `strategy` with `type: blue-green`, parsed). */
export function createBlueGreenStrategy(spec: BlueGreenStrategySpec): BlueGreenStrategy {
  const steps = stepsOf(spec);
  const descriptions = steps.map((step, index) => ({ index, label: labelOf(step) }));

  return {
    type: 'blue-green',
    // All or nothing: the switch moves every client at once, so there is nothing to stick to.
    stickyCookie: null,
    steps: (): StepDescription[] => descriptions.map((d) => ({ ...d })),
    decide(stepIndex: number, observation: RolloutObservation): StrategyDecision {
      // A first deploy has no release to stand beside: it goes straight to the end.
      if (observation.stable === null) return { targets: allOnNewRelease(observation), gate: healthy, isFinal: true };
      const step = steps[clampStep(stepIndex, steps.length)] ?? { kind: 'scale-down' };
      switch (step.kind) {
        case 'preview':
          return { targets: previewTargets(observation), gate: healthy, isFinal: false };
        case 'pre-promotion-analysis':
          return { targets: previewTargets(observation), gate: step.gate, isFinal: false };
        case 'promotion':
          return {
            targets: previewTargets(observation),
            gate: { kind: 'pause', durationMs: step.durationMs, pauseReason: 'blue-green-preview' },
            isFinal: false,
          };
        case 'switch':
          return { targets: switchedTargets(observation, true), gate: healthy, isFinal: false };
        case 'post-promotion-analysis':
          return { targets: switchedTargets(observation, true), gate: step.gate, isFinal: false };
        case 'scale-down-delay':
          // A wait, not a pause: the switch is done and nothing is asked of anyone.
          return {
            targets: switchedTargets(observation, true),
            gate: { kind: 'pause', durationMs: step.durationMs, pauseReason: null },
            isFinal: false,
          };
        case 'scale-down':
          return { targets: switchedTargets(observation, false), gate: healthy, isFinal: true };
      }
    },
    aborted(observation: RolloutObservation): ReleaseTarget[] {
      const { stable } = observation;
      if (stable === null) return [];
      // All traffic back at once; the new release stays up, on its preview host only, so a retry is instant too.
      return [stableTarget(observation, stable, 100), ...previewTargets(observation).slice(1)];
    },
  };
}

/**
 * Where a blue-green's new release is reachable before promotion: `<app>--preview.<domain>`
 * (`<app>-<environment>--preview.<domain>` outside production), beside the default host.
 */
export function blueGreenPreviewHost(
  app: Pick<AppRecord, 'name'>,
  environment: Pick<EnvironmentRecord, 'name'>,
  settings: Pick<CoreSettings, 'defaultDomain'>,
): string {
  const host = defaultHost(app, environment, settings);
  const dot = host.indexOf('.');
  return `${host.slice(0, dot)}--preview${host.slice(dot)}`;
}

const healthy: Gate = { kind: 'healthy' };

function stepsOf(spec: BlueGreenStrategySpec): BlueGreenStep[] {
  const steps: BlueGreenStep[] = [{ kind: 'preview' }];
  if (spec.prePromotionAnalysis !== undefined)
    steps.push({
      kind: 'pre-promotion-analysis',
      gate: { kind: 'analysis', name: 'pre-promotion', spec: spec.prePromotionAnalysis },
    });
  // Promoting after 0 s is promoting at once: there is nothing to wait for (Argo pauses only for a non-zero delay).
  if (spec.autoPromoteAfterSeconds !== 0)
    steps.push({
      kind: 'promotion',
      durationMs: spec.autoPromoteAfterSeconds === undefined ? null : spec.autoPromoteAfterSeconds * 1000,
    });
  steps.push({ kind: 'switch' });
  if (spec.postPromotionAnalysis !== undefined)
    steps.push({
      kind: 'post-promotion-analysis',
      gate: { kind: 'analysis', name: 'post-promotion', spec: spec.postPromotionAnalysis },
    });
  if (spec.scaleDownDelaySeconds > 0)
    steps.push({ kind: 'scale-down-delay', durationMs: spec.scaleDownDelaySeconds * 1000 });
  steps.push({ kind: 'scale-down' });
  return steps;
}

/** Before the switch: stable takes everything; the new release runs at full scale, reachable on its preview host. */
function previewTargets(observation: RolloutObservation): ReleaseTarget[] {
  return splitTargets(observation, {
    newScale: { ...observation.scale },
    newWeight: 0,
    matches: [],
    isPreview: true,
    keepsStable: true,
  });
}

/**
 * After the switch: the new release takes everything — once all of its instances are healthy; until then the split in
 * force holds (a restart never routes to a half-started release). `keepsStable`: the old release stays at full scale.
 */
function switchedTargets(observation: RolloutObservation, keepsStable: boolean): ReleaseTarget[] {
  return splitTargets(observation, {
    newScale: { ...observation.scale },
    newWeight: 100,
    matches: [],
    isPreview: true,
    keepsStable,
  });
}

function labelOf(step: BlueGreenStep): string {
  switch (step.kind) {
    case 'preview':
      return 'preview: the new release at full scale beside the stable one';
    case 'pre-promotion-analysis':
      return 'analysis pre-promotion';
    case 'promotion':
      return step.durationMs === null
        ? 'pause until promoted'
        : `pause ${formatWaitSeconds(step.durationMs / 1000)}, then promote`;
    case 'switch':
      return 'switch: all traffic to the new release';
    case 'post-promotion-analysis':
      return 'analysis post-promotion';
    case 'scale-down-delay':
      return `keep the old release warm ${formatWaitSeconds(step.durationMs / 1000)}`;
    case 'scale-down':
      return 'scale down the old release';
  }
}
