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
  'alert.firing': 'Alert firing',
  'alert.resolved': 'Alert resolved',
};

/** `web release 4 in production`, `web in production`, or an alert's own subject when it is about no one app. */
function subjectOf(event: DeliveryEvent): string {
  if (event.app === null || event.environment === null) return event.alert?.subject ?? 'Slipway';
  const release = event.releaseNumber === null ? '' : ` release ${event.releaseNumber}`;
  return `${event.app}${release} in ${event.environment}`;
}

/** The event as every target sees it; `project` is the project's name. Holds nothing the event does not. */
export function renderNotification(event: DeliveryEvent, project: string): RenderedNotification {
  const occurredAt = new Date(event.atMs).toISOString();
  const alertKind = event.alert === undefined ? '' : ` ${event.alert.kind}`;
  const subject = `[Slipway] ${titles[event.kind]}${alertKind}: ${subjectOf(event)}`;
  const text = [
    event.message,
    '',
    `Project: ${project}`,
    ...(event.app === null ? [] : [`App: ${event.app}`]),
    ...(event.environment === null ? [] : [`Environment: ${event.environment}`]),
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
      ...(event.alert === undefined
        ? {}
        : {
            alert: {
              id: event.alert.id,
              rule: event.alert.ruleId,
              kind: event.alert.kind,
              state: event.alert.state,
              subject: event.alert.subject,
              value: event.alert.value,
              threshold: event.alert.threshold,
              activeAt: new Date(event.alert.activeAtMs).toISOString(),
            },
          }),
    },
    subject,
    text,
  };
}
