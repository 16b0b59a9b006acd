/**
 * The recreate strategy with Kubernetes' semantics: every instance of the stable release is stopped (out of the
 * router, drained, stopped) before any instance of the new release starts; the app is unavailable in between.
 */
import type { RolloutStrategy } from './rollout-model.js';
import { finalTargets, stableTargets } from './rolling.js';

export function createRecreateStrategy(): RolloutStrategy {
  return {
    type: 'recreate',
    stickyCookie: null,
    steps: () => [
      { index: 0, label: 'stop the stable release' },
      { index: 1, label: 'start the new release' },
    ],
    decide(stepIndex, observation) {
      if (stepIndex === 0) {
        const [target] = finalTargets(observation, null);
        const nothing = Object.fromEntries(Object.keys(observation.scale).map((process) => [process, 0]));
        // Instances of the new release a resumed rollout finds are kept: they are what step 1 wants.
        const kept = Object.fromEntries(
          Object.keys(observation.scale).map((process) => [process, observation.target.processes[process]?.live ?? 0]),
        );
        return {
          targets: target === undefined ? [] : [{ ...target, scale: { ...nothing, ...kept } }],
          gate: { kind: 'healthy' },
          isFinal: false,
        };
      }
      return { targets: finalTargets(observation, null), gate: { kind: 'healthy' }, isFinal: true };
    },
    aborted: stableTargets,
  };
}
