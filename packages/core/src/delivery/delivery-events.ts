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
  | 'certificate.expiring'
  | 'alert.firing'
  | 'alert.resolved';

/** What an `alert.firing` or `alert.resolved` event says of its alert (docs/alerts.md). */
export interface AlertEventFacts {
  /** The alert's id: the same in its firing and its resolved event. */
  id: string;
  ruleId: string;
  kind: string;
  state: 'firing' | 'resolved';
  /** The measurement that made the transition, or null when none. */
  value: number | null;
  threshold: number | null;
  /** What the alert is about, in words (`web in production`, `the data dir`). */
  subject: string;
  /** When the condition was first seen holding. */
  activeAtMs: number;
}

export interface DeliveryEvent {
  /** Unique per event: receivers dedupe on it. */
  id: string;
  kind: DeliveryEventKind;
  projectId: string;
  /** Null only for an alert about no one app and environment (the data dir's disk). */
  environmentId: string | null;
  appId: string | null;
  /** Names, for the message. */
  app: string | null;
  environment: string | null;
  deploymentId: string | null;
  releaseNumber: number | null;
  /** One sentence a human reads in the notification. Never holds a secret. */
  message: string;
  atMs: number;
  /** Alert events only. */
  alert?: AlertEventFacts;
}

/** Where core code publishes delivery events. Must not throw and must not block: delivery happens in the background. */
export interface DeliveryEventSink {
  publish(event: DeliveryEvent): void;
}
