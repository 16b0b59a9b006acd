/** The deliveries of the outbox as users read them (`slipway notifications list`): newest first, every attempt. */
import { SlipwayError, type NotificationDeliveryView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { NotificationDeliveryState } from './notification-records.js';

export interface DeliveryListing {
  /** A project's name. */
  project?: string;
  state?: NotificationDeliveryState;
  limit: number;
}

/** Errors: `PROJECT_NOT_FOUND` when the named project does not exist. */
export async function listNotificationDeliveries(
  deps: Pick<CoreDeps, 'store'>,
  listing: DeliveryListing,
): Promise<NotificationDeliveryView[]> {
  const projects = new Map((await deps.store.projects.list()).map((p) => [p.id, p.name]));
  let projectId: string | undefined;
  if (listing.project !== undefined) {
    projectId = [...projects].find(([, name]) => name === listing.project)?.[0];
    if (projectId === undefined) throw new SlipwayError('PROJECT_NOT_FOUND', `project ${listing.project} not found`);
  }
  const deliveries = await deps.store.notifications.listDeliveries({
    ...(projectId === undefined ? {} : { projectId }),
    ...(listing.state === undefined ? {} : { state: listing.state }),
    limit: listing.limit,
  });
  const attempts = await deps.store.notifications.listAttempts(deliveries.map((d) => d.id));
  return deliveries.map((d): NotificationDeliveryView => ({
    id: d.id,
    eventId: d.event.id,
    event: d.event.kind,
    project: projects.get(d.projectId) ?? d.projectId,
    app: d.event.app,
    environment: d.event.environment,
    message: d.event.message,
    targetId: d.targetId,
    targetKind: d.targetKind,
    destination: d.destination,
    state: d.state,
    nextAttemptAt: d.nextAttemptAtMs === null ? null : new Date(d.nextAttemptAtMs).toISOString(),
    createdAt: new Date(d.createdAtMs).toISOString(),
    attempts: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({
        at: new Date(a.atMs).toISOString(),
        outcome: a.outcome,
        detail: a.detail,
        durationMs: a.durationMs,
      })),
  }));
}
