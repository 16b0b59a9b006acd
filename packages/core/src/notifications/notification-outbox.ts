/**
 * The `DeliveryEventSink` of slipwayd: each published event becomes one pending delivery per matching target (the
 * project's, for all its environments or for the event's, subscribed to its kind), stored in one transaction of the
 * outbox. `publish` never throws nor waits; `idle()` resolves once every event published so far is stored, which
 * the runner's callers and shutdown await, so an event published before a clean stop is never lost.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DeliveryEvent, DeliveryEventSink } from '../delivery/delivery-events.js';
import type { NotificationDeliveryRecord, NotificationTargetRecord } from './notification-records.js';
import type { AlertRuleKind } from '../alerts/alert-records.js';

export interface NotificationOutbox extends DeliveryEventSink {
  /** Stores the deliveries of `event` and resolves with their count; rejects when the store fails. */
  record(event: DeliveryEvent): Promise<number>;
  /** Resolves when every event published so far is stored (or its failure logged). Never rejects. */
  idle(): Promise<void>;
}

/**
 * One pending delivery, due now, per target of the event's project that takes it: a target of every environment or
 * of the event's (an event of no environment, an alert on the data dir's disk, goes to all), subscribed to its kind.
 * Exported for writers that store deliveries in a transaction of their own (alerts, with their state).
 */
export function deliveriesOf(
  targets: readonly NotificationTargetRecord[],
  event: DeliveryEvent,
  deps: Pick<CoreDeps, 'ids' | 'clock'>,
): NotificationDeliveryRecord[] {
  const now = deps.clock.nowMs();
  return targets
    .filter(
      (t) =>
        t.projectId === event.projectId &&
        (t.environmentId === null || event.environmentId === null || t.environmentId === event.environmentId) &&
        t.events.includes(event.kind),
    )
    .map((target): NotificationDeliveryRecord => ({
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
}

/** The alert kind whose rule watches the very condition a plain event reports (a crash loop, an expiring certificate). */
const sameConditionAlert: Partial<Record<DeliveryEvent['kind'], AlertRuleKind>> = {
  'instance.crash-loop': 'crash-loop',
  'certificate.expiring': 'certificate-expiry',
};

/**
 * One condition, one notice per target (docs/alerts.md): when an enabled alert rule of the project covers the event's
 * app and environment, a target that takes `alert.firing` hears of the condition through the alert (which also says
 * when it is over) and not through the plain event as well. A target that takes the plain event only still gets it.
 */
async function withoutAlertedTargets(
  deps: Pick<CoreDeps, 'store'>,
  targets: readonly NotificationTargetRecord[],
  event: DeliveryEvent,
): Promise<readonly NotificationTargetRecord[]> {
  const kind = sameConditionAlert[event.kind];
  if (kind === undefined || !targets.some((t) => t.events.includes('alert.firing'))) return targets;
  const isAlerted = (await deps.store.alerts.listRules(event.projectId)).some(
    (rule) =>
      rule.kind === kind &&
      rule.isEnabled &&
      (rule.appId === null || rule.appId === event.appId) &&
      (rule.environmentId === null || rule.environmentId === event.environmentId),
  );
  return isAlerted ? targets.filter((t) => !t.events.includes('alert.firing')) : targets;
}

export function createNotificationOutbox(
  deps: Pick<CoreDeps, 'store' | 'ids' | 'clock' | 'logger'>,
  options: { onStored?: () => void } = {},
): NotificationOutbox {
  const inFlight = new Set<Promise<void>>();

  const record = async (event: DeliveryEvent): Promise<number> => {
    const targets = await withoutAlertedTargets(
      deps,
      await deps.store.notifications.listTargets(event.projectId),
      event,
    );
    const deliveries = deliveriesOf(targets, event, deps);
    if (deliveries.length === 0) return 0;
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
