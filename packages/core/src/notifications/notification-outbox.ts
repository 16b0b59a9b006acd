/**
 * The `DeliveryEventSink` of slipwayd: each published event becomes one pending delivery per matching target (the
 * project's, for all its environments or for the event's, subscribed to its kind), stored in one transaction of the
 * outbox. `publish` never throws nor waits; `idle()` resolves once every event published so far is stored, which
 * the runner's callers and shutdown await, so an event published before a clean stop is never lost.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DeliveryEvent, DeliveryEventSink } from '../delivery/delivery-events.js';
import type { NotificationDeliveryRecord } from './notification-records.js';

export interface NotificationOutbox extends DeliveryEventSink {
  /** Stores the deliveries of `event` and resolves with their count; rejects when the store fails. */
  record(event: DeliveryEvent): Promise<number>;
  /** Resolves when every event published so far is stored (or its failure logged). Never rejects. */
  idle(): Promise<void>;
}

export function createNotificationOutbox(
  deps: Pick<CoreDeps, 'store' | 'ids' | 'clock' | 'logger'>,
  options: { onStored?: () => void } = {},
): NotificationOutbox {
  const inFlight = new Set<Promise<void>>();

  const record = async (event: DeliveryEvent): Promise<number> => {
    const targets = (await deps.store.notifications.listTargets(event.projectId)).filter(
      (t) => (t.environmentId === null || t.environmentId === event.environmentId) && t.events.includes(event.kind),
    );
    if (targets.length === 0) return 0;
    const now = deps.clock.nowMs();
    const deliveries = targets.map((target): NotificationDeliveryRecord => ({
      id: deps.ids.next('ndl'),
      targetId: target.id,
      targetKind: target.kind,
      destination: target.destination,
      projectId: event.projectId,
      event,
      state: 'pending',
      attempts: 0,
      nextAttemptAtMs: now,
      createdAtMs: now,
      updatedAtMs: now,
    }));
    await deps.store.transaction(async (tx) => {
      for (const delivery of deliveries) await tx.notifications.insertDelivery(delivery);
    });
    deps.logger.info(
      { eventId: event.id, event: event.kind, app: event.app, deliveries: deliveries.length },
      'notification queued',
    );
    options.onStored?.();
    return deliveries.length;
  };

  return {
    record,
    publish(event) {
      const stored = record(event).then(
        () => undefined,
        (error: unknown) =>
          deps.logger.error({ eventId: event.id, event: event.kind, err: error }, 'notification not queued'),
      );
      inFlight.add(stored);
      void stored.finally(() => inFlight.delete(stored));
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
