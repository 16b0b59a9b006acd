/** The Swarm runtime end to end, on a single-node swarm: see `container-runtime-suite.ts`. */
import { describeContainerRuntime } from './container-runtime-suite.js';

describeContainerRuntime('swarm');
