/**
 * What progressive delivery tells the outside world (notifications, the audit): an approval waits, a rollout paused,
 * aborted, failed or succeeded, an instance crash-loops. Published by the core, delivered by the `Notifier` targets
 * of the project and environment.
 */
export type DeliveryEventKind =
  | 'approval.pending'
  | 'rollout.paused'
  | 'rollout.aborted'
  | 'deployment.failed'
  | 'deployment.succeeded'
  | 'instance.crash-loop'
  | 'certificate.expiring';

export interface DeliveryEvent {
  /** Unique per event: receivers dedupe on it. */
  id: string;
  kind: DeliveryEventKind;
  projectId: string;
  environmentId: string;
  appId: string;
  /** Names, for the message. */
  app: string;
  environment: string;
  deploymentId: string | null;
  releaseNumber: number | null;
  /** One sentence a human reads in the notification. Never holds a secret. */
  message: string;
  atMs: number;
}

/** Where core code publishes delivery events. Must not throw and must not block: delivery happens in the background. */
export interface DeliveryEventSink {
  publish(event: DeliveryEvent): void;
}
