/** Maps a release's resolved strategy spec to the strategy that rolls it out. */
import type { Strategy } from '@slipway/contract';
import { createBlueGreenStrategy } from './blue-green.js';
import { createCanaryStrategy } from './canary.js';
import { createRecreateStrategy } from './recreate.js';
import { createRollingStrategy } from './rolling.js';
import type { RolloutStrategy } from './rollout-model.js';

/** One case per strategy type; the switch is exhaustive, so a new type in the manifest schema must be added here. */
export function strategyFor(spec: Strategy): RolloutStrategy {
  switch (spec.type) {
    case 'recreate':
      return createRecreateStrategy();
    case 'rolling':
      return createRollingStrategy({ maxSurge: spec.maxSurge, maxUnavailable: spec.maxUnavailable });
    case 'blue-green':
      return createBlueGreenStrategy(spec);
    case 'canary':
      return createCanaryStrategy(spec);
  }
}
