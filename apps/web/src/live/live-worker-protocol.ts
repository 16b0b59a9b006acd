/** The messages between a tab and the shared live-stream worker (`shared-live-worker.ts`). */
import type { SseEvent } from '@slipway/contract/sse-parser';
import type { LiveState } from './stream-connection.js';

/** From a tab: every topic it reads and whether it is shown (sent whole on each change); `restart` after a refresh. */
export type LiveTabMessage =
  | { readonly type: 'topics'; readonly topics: readonly string[]; readonly isVisible: boolean }
  | { readonly type: 'restart' }
  | { readonly type: 'bye' }
  | { readonly type: 'ping' };

/** To a tab: an event of a topic it reads (or of the whole stream), the streams' state, a refusal. */
export type LiveWorkerMessage =
  | { readonly type: 'event'; readonly event: SseEvent }
  | { readonly type: 'state'; readonly state: LiveState }
  | { readonly type: 'refused'; readonly status: number };
