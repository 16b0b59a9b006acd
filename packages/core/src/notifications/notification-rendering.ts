/** Renders a delivery event once for every kind of target: the webhook's JSON payload, a subject line and a text. */
import type { DeliveryEvent, DeliveryEventKind } from '../delivery/delivery-events.js';
import type { RenderedNotification } from '../ports/notifier.js';

const titles: Record<DeliveryEventKind, string> = {
  'approval.pending': 'Approval pending',
  'rollout.paused': 'Rollout paused',
  'rollout.aborted': 'Rollout aborted',
  'deployment.failed': 'Deployment failed',
  'deployment.succeeded': 'Deployment succeeded',
  'instance.crash-loop': 'Instance crash-looping',
  'certificate.expiring': 'Certificate expiring',
};

/** The event as every target sees it; `project` is the project's name. Holds nothing the event does not. */
export function renderNotification(event: DeliveryEvent, project: string): RenderedNotification {
  const occurredAt = new Date(event.atMs).toISOString();
  const release = event.releaseNumber === null ? '' : ` release ${event.releaseNumber}`;
  const subject = `[Slipway] ${titles[event.kind]}: ${event.app}${release} in ${event.environment}`;
  const text = [
    event.message,
    '',
    `Project: ${project}`,
    `App: ${event.app}`,
    `Environment: ${event.environment}`,
    ...(event.deploymentId === null ? [] : [`Deployment: ${event.deploymentId}`]),
    ...(event.releaseNumber === null ? [] : [`Release: ${event.releaseNumber}`]),
    `Event: ${event.kind} (${event.id})`,
    `At: ${occurredAt}`,
  ].join('\n');
  return {
    payload: {
      id: event.id,
      type: event.kind,
      occurredAt,
      project,
      environment: event.environment,
      app: event.app,
      deploymentId: event.deploymentId,
      releaseNumber: event.releaseNumber,
      message: event.message,
    },
    subject,
    text,
  };
}
