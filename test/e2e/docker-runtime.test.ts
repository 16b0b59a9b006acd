/** The Docker runtime end to end: see `container-runtime-suite.ts`. */
import { describeContainerRuntime } from './container-runtime-suite.js';

describeContainerRuntime('docker');
