/**
 * The webhook inbox's processor: one loop that leases the oldest due delivery and hands its events to
 * `handleGitEvent`, in the order they were received (a push after another is handled after it). It wakes when a
 * delivery is accepted (`poke`) and polls otherwise, so a delivery left by a slipwayd that was killed is handled once
 * this one starts: at start it queues again what a dead incarnation of this node had leased.
 */
import { randomUUID } from 'node:crypto';
import {
  handleGitEvent,
  processNextWebhookDelivery,
  type CoreDeps,
  type GitEventHandler,
  type Logger,
} from '@slipway/core';

/** Deliveries arriving less than this apart make a burst, during which handling waits. */
const quietMs = 10;
/** The longest handling waits for a burst to end before it handles one delivery anyway. */
const maxDeferMs = 1_000;

export interface WebhookProcessor {
  /** Reclaims what a dead incarnation held, then starts the loop. */
  start(): Promise<void>;
  /** A delivery was accepted: look now instead of at the next poll. */
  poke(): void;
  /** Ends the loop after the delivery in hand (its lease is recorded or expires). Idempotent. */
  stop(): Promise<void>;
}

export interface WebhookProcessorOptions {
  readonly nodeName: string;
  /** A delivery whose handler has run this long without recording is handed over again. */
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly logger: Logger;
  /** Tests count hand-overs; slipwayd hands events to `handleGitEvent`. */
  readonly handle?: GitEventHandler;
}

export function createWebhookProcessor(deps: CoreDeps, options: WebhookProcessorOptions): WebhookProcessor {
  const owner = `${options.nodeName}/whp-${randomUUID()}`;
  const handle = options.handle ?? ((event) => handleGitEvent(deps, event));
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  let isPoked = false;
  let lastPokeMs = 0;
  let deferringSinceMs: number | undefined;
  let loop: Promise<void> | undefined;

  const nap = (): Promise<void> =>
    new Promise((resolve) => {
      if (isPoked || stopping.signal.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, options.pollIntervalMs);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /**
   * During a burst of deliveries, accepting them comes first (a provider waits for its answer, and gives up after
   * seconds): handling waits until deliveries have stopped arriving for a moment, but never more than
   * `maxDeferMs` at a time, so a steady stream is still handled.
   */
  const shouldDefer = (): boolean => {
    const nowMs = performance.now();
    if (nowMs - lastPokeMs >= quietMs) {
      deferringSinceMs = undefined;
      return false;
    }
    deferringSinceMs ??= nowMs;
    if (nowMs - deferringSinceMs < maxDeferMs) return true;
    deferringSinceMs = undefined;
    return false;
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      if (shouldDefer()) {
        await new Promise((resolve) => setTimeout(resolve, quietMs));
        continue;
      }
      isPoked = false;
      let isBusy = false;
      try {
        isBusy = await processNextWebhookDelivery(deps, {
          owner,
          leaseMs: options.leaseMs,
          handle,
          signal: stopping.signal,
          ...(deps.failpoint === undefined ? {} : { failpoint: deps.failpoint }),
        });
      } catch (error) {
        if (stopping.signal.aborted) return;
        options.logger.error({ err: error }, 'webhook processing failed');
      }
      // The store answers without a turn of the event loop (SQLite is synchronous under its promises): yield one,
      // so accepting deliveries and every other request go on while a backlog is handled.
      if (isBusy) await new Promise((resolve) => setImmediate(resolve));
      else await nap();
    }
  };

  return {
    async start() {
      const reclaimed = await deps.store.gitWebhooks.reclaimAbandoned(`${options.nodeName}/`, owner);
      if (reclaimed > 0) options.logger.warn({ reclaimed }, 'webhook deliveries of a stopped slipwayd queued again');
      loop ??= run();
    },
    poke() {
      isPoked = true;
      lastPokeMs = performance.now();
      wake?.();
    },
    async stop() {
      stopping.abort(new Error('slipwayd is stopping'));
      wake?.();
      await loop;
    },
  };
}
