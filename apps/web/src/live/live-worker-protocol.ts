/** The messages between a tab and the shared live-stream worker (`shared-live-worker.ts`). */
import type { SseEvent } from '@slipway/contract/sse-parser';
import type { LiveState } from './stream-connection.js';

/**
 * From a tab: `hello` once it holds the Web Lock it keeps for its life; every topic it reads and whether it is shown
 * (sent whole on each change); `restart` once signed in again; `bye` as it goes.
 */
export type LiveTabMessage =
  | { readonly type: 'hello'; readonly lockName: string }
  | { readonly type: 'topics'; readonly topics: readonly string[]; readonly isVisible: boolean }
  | { readonly type: 'restart' }
  | { readonly type: 'bye' };

/** To a tab: an event of a topic it reads (or of its stream), the streams' state, the session's end. */
export type LiveWorkerMessage =
  | { readonly type: 'event'; readonly event: SseEvent }
  | { readonly type: 'state'; readonly state: LiveState; readonly heardAtMs: number | undefined }
  | { readonly type: 'session-ended' };
