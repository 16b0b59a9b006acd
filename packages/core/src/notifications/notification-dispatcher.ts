/**
 * Sends the outbox's due deliveries in the background: each attempt under a deadline, stored whatever its outcome
 * (time, outcome, the receiver's answer in words, duration). A failed attempt is retried with exponential backoff
 * (10 s, 1 min, 5 min, 30 min: five attempts in all by default); after the last the delivery is `failed`. Everything
 * it needs is in the store, so a restarted slipwayd carries on where the last one stopped.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Notifier } from '../ports/notifier.js';
import { createSecretMasker } from '../secrets/secret-masker.js';
import type { NotificationAttemptRecord, NotificationDeliveryRecord } from './notification-records.js';
import { renderNotification } from './notification-rendering.js';
import { openDestination } from './notification-targets.js';

export interface NotificationDispatcherSettings {
  /** The wait after attempt n fails is `retryDelaysMs[n - 1]`; attempts in all: its length + 1. */
  readonly retryDelaysMs: readonly number[];
  /** Deadline of one attempt (connect, send, answer). */
  readonly attemptTimeoutMs: number;
  /** Longest sleep between looks at the outbox when nothing wakes the loop. */
  readonly pollIntervalMs: number;
  /** Deliveries attempted at once. */
  readonly concurrency: number;
}

export const defaultNotificationDispatcherSettings: NotificationDispatcherSettings = {
  retryDelaysMs: [10_000, 60_000, 300_000, 1_800_000],
  attemptTimeoutMs: 10_000,
  pollIntervalMs: 5_000,
  concurrency: 4,
};

/** Due deliveries taken per look at the outbox. */
const batchSize = 50;

export interface NotificationDispatcher {
  /** Starts the background loop. Idempotent. */
  start(): void;
  /** Wakes the loop now (new deliveries were stored). */
  poke(): void;
  /**
   * Attempts every delivery due now, once, and resolves with how many were attempted. The loop calls it; tests call
   * it with a manual clock. Rejects only when the store fails.
   */
  deliverDue(): Promise<number>;
  /** Stops the loop: attempts under way are abandoned unrecorded (they are due again on the next start). */
  stop(): Promise<void>;
}

export function createNotificationDispatcher(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'secretCipher'>,
  notifier: Notifier,
  settings: NotificationDispatcherSettings = defaultNotificationDispatcherSettings,
): NotificationDispatcher {
  const { store, clock, logger } = deps;
  const stopping = new AbortController();
  let wake = new AbortController();
  let loop: Promise<void> | undefined;
  const maxAttempts = settings.retryDelaysMs.length + 1;

  const finish = async (
    delivery: NotificationDeliveryRecord,
    outcome: 'delivered' | 'failed',
    detail: string,
    startedAtMs: number,
    isFinal = false,
  ): Promise<void> => {
    const now = clock.nowMs();
    const seq = delivery.attempts + 1;
    const attempt: NotificationAttemptRecord = {
      deliveryId: delivery.id,
      seq,
      atMs: startedAtMs,
      outcome,
      detail,
      durationMs: Math.max(0, now - startedAtMs),
    };
    const isOver = outcome === 'delivered' || isFinal || seq >= maxAttempts;
    const next: NotificationDeliveryRecord = {
      ...delivery,
      attempts: seq,
      state: outcome === 'delivered' ? 'delivered' : isOver ? 'failed' : 'pending',
      nextAttemptAtMs: isOver ? null : now + (settings.retryDelaysMs[seq - 1] ?? 0),
      updatedAtMs: now,
    };
    await store.transaction(async (tx) => {
      await tx.notifications.appendAttempt(attempt);
      await tx.notifications.updateDelivery(next);
    });
    const fields = {
      deliveryId: delivery.id,
      targetId: delivery.targetId,
      eventId: delivery.event.id,
      event: delivery.event.kind,
      attempt: seq,
      detail,
    };
    if (outcome === 'delivered') logger.info(fields, 'notification delivered');
    else if (next.state === 'failed') logger.warn(fields, 'notification failed: no attempt left');
    else logger.warn({ ...fields, retryAtMs: next.nextAttemptAtMs }, 'notification attempt failed; retrying later');
  };

  const attempt = async (delivery: NotificationDeliveryRecord): Promise<void> => {
    const startedAtMs = clock.nowMs();
    const target = await store.notifications.findTarget(delivery.targetId);
    if (!target) return finish(delivery, 'failed', 'the notification target was removed', startedAtMs, true);
    const project = await store.projects.findById(delivery.projectId);
    const notification = renderNotification(delivery.event, project?.name ?? delivery.projectId);
    let mask = (text: string): string => text;
    const deadline = AbortSignal.any([stopping.signal, AbortSignal.timeout(settings.attemptTimeoutMs)]);
    try {
      const destination = openDestination(deps, target);
      // Should a receiver or a library ever echo the URL or secret back, it is masked before it is stored or logged.
      mask = createSecretMasker(
        destination.kind === 'email'
          ? []
          : [destination.url, ...(destination.kind === 'webhook' ? [destination.secret] : [])],
      );
      const answer = await notifier.send(destination, notification, deadline);
      await finish(delivery, 'delivered', mask(answer), startedAtMs);
    } catch (error) {
      // Stopping: the attempt is abandoned, not counted; the delivery is due again on the next start.
      if (stopping.signal.aborted) return;
      if (!isSlipwayError(error))
        logger.error({ deliveryId: delivery.id, err: error }, 'notification send failed unexpectedly');
      const detail = isSlipwayError(error) ? error.message : 'an unexpected error (see the slipwayd log)';
      await finish(delivery, 'failed', mask(detail), startedAtMs);
    }
  };

  const deliverDue = async (): Promise<number> => {
    const due = await store.notifications.listDue(clock.nowMs(), batchSize);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < due.length && !stopping.signal.aborted) {
        const delivery = due[next] as NotificationDeliveryRecord;
        next += 1;
        await attempt(delivery);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, lane));
    return due.length;
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let attempted = 0;
      try {
        attempted = await deliverDue();
      } catch (error) {
        logger.error({ err: error }, 'notification dispatch failed; trying again later');
      }
      if (attempted >= batchSize) continue;
      const nextDueAtMs = await store.notifications.findNextDueAtMs().catch(() => undefined);
      const waitMs =
        nextDueAtMs === undefined
          ? settings.pollIntervalMs
          : Math.min(settings.pollIntervalMs, Math.max(0, nextDueAtMs - clock.nowMs()));
      const signal = AbortSignal.any([stopping.signal, wake.signal]);
      await clock.sleep(waitMs, signal).catch(() => undefined);
      if (wake.signal.aborted) wake = new AbortController();
    }
  };

  return {
    start() {
      loop ??= run();
    },
    poke() {
      wake.abort();
    },
    deliverDue,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
