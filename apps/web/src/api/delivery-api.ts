/** The Delivery section's calls: an app's rollout and its controls, approval requests, notification targets. */
import type {
  ApprovalRequestView,
  NotificationDeliveryView,
  NotificationTargetView,
  RolloutView,
} from '@slipway/contract';
import { appPath, callJson } from './web-api.js';

export type RolloutControl = 'promote' | 'promote-full' | 'pause' | 'resume' | 'abort' | 'retry';

const environmentQuery = (environment: string): string => `?environment=${encodeURIComponent(environment)}`;

export const deliveryApi = {
  rollout: (app: string, environment: string) =>
    callJson<RolloutView>('GET', appPath(app, `/rollout${environmentQuery(environment)}`)),
  control: (app: string, environment: string, control: RolloutControl) => {
    const action = control === 'promote-full' ? 'promote' : control;
    const path = appPath(app, `/rollout/${action}${environmentQuery(environment)}`);
    return control === 'promote' || control === 'promote-full'
      ? callJson<RolloutView>('POST', path, { full: control === 'promote-full' })
      : callJson<unknown>('POST', path);
  },
  approvals: () => callJson<{ approvals: ApprovalRequestView[] }>('GET', '/api/v1/approvals'),
  decide: (id: string, decision: 'approve' | 'reject', comment: string) =>
    callJson<ApprovalRequestView>(
      'POST',
      `/api/v1/approvals/${encodeURIComponent(id)}/${decision}`,
      comment.trim() === '' ? {} : { comment: comment.trim() },
    ),
  targets: () => callJson<{ targets: NotificationTargetView[] }>('GET', '/api/v1/notifications/targets'),
  deliveries: () =>
    callJson<{ deliveries: NotificationDeliveryView[] }>('GET', '/api/v1/notifications/deliveries?limit=50'),
};
