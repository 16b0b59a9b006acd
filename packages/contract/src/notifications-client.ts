/** The notifications part of the typed API client. */
import type { ApiTransport, RequestSpec } from './api-transport.js';
import {
  listNotificationDeliveriesResponseSchema,
  listNotificationTargetsResponseSchema,
  notificationTargetSchema,
  type AddNotificationTargetBody,
  type ListNotificationDeliveriesQuery,
  type NotificationDeliveryView,
  type NotificationTargetView,
} from './notifications-api.js';

export interface NotificationsClient {
  notifications: {
    /** GET /api/v1/notifications/targets[?project=] (owner) */
    listTargets(project?: string): Promise<{ targets: NotificationTargetView[] }>;
    /** POST /api/v1/notifications/targets (owner of the project) */
    addTarget(body: AddNotificationTargetBody): Promise<NotificationTargetView>;
    /** DELETE /api/v1/notifications/targets/:id (owner of its project); pending deliveries to it then fail. */
    removeTarget(id: string): Promise<void>;
    /** GET /api/v1/notifications/deliveries[?project=&state=&limit=] (viewer), newest first, with every attempt. */
    listDeliveries(query?: ListNotificationDeliveriesQuery): Promise<{ deliveries: NotificationDeliveryView[] }>;
  };
}

export function createNotificationsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): NotificationsClient {
  const noContent = async (spec: RequestSpec): Promise<void> => {
    const response = await send(spec);
    await response.body?.cancel().catch(() => undefined);
  };
  return {
    notifications: {
      listTargets: (project) =>
        call(
          { method: 'GET', path: '/api/v1/notifications/targets', query: { project } },
          listNotificationTargetsResponseSchema,
        ),
      addTarget: (body) =>
        call({ method: 'POST', path: '/api/v1/notifications/targets', json: body }, notificationTargetSchema),
      removeTarget: (id) =>
        noContent({ method: 'DELETE', path: `/api/v1/notifications/targets/${encodeURIComponent(id)}` }),
      listDeliveries: (query = {}) =>
        call(
          { method: 'GET', path: '/api/v1/notifications/deliveries', query: { ...query } },
          listNotificationDeliveriesResponseSchema,
        ),
    },
  };
}
