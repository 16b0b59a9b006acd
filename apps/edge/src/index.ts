/** The edge router as a library: `startEdge` runs it in-process (main.ts and the tests call it). */
export {
  startEdge,
  edgeStateFiles,
  type StartEdgeOptions,
  type RunningEdge,
  type EdgeStateFiles,
} from './start-edge.js';
export { createJsonLineLog, silentLog, type EdgeLog, type JsonLineLog } from './edge-log.js';
export { parseListenAddress, formatListenAddress, type ListenAddress } from './listen-address.js';
