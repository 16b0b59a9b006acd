/** The Swarm runtime end to end, on a single-node swarm: see `container-runtime-suite.ts`. */
import { ensureSingleNodeSwarm } from '@slipway/testkit';
import { describeContainerRuntime } from './container-runtime-suite.js';

describeContainerRuntime('swarm', ensureSingleNodeSwarm);
