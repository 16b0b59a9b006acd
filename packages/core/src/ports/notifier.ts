/**
 * Sends one rendered notification to one target: a signed webhook, a Slack-compatible incoming webhook, or an email
 * through the configured SMTP relay. Implementations: `adapters/notify/`.
 */
import type { DeliveryEventKind } from '../delivery/delivery-events.js';

/** Where a notification goes, its secrets opened (held only for the send). */
export type NotificationDestination =
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: string }
  | { readonly kind: 'slack'; readonly url: string }
  | { readonly kind: 'email'; readonly to: string };

/** The JSON body a generic webhook receives (documented in docs/notifications.md; its shape is a public contract). */
export interface NotificationPayload {
  /** The event's id; also the `Slipway-Event-Id` header. Receivers dedupe on it: a retry carries the same id. */
  id: string;
  type: DeliveryEventKind;
  /** ISO 8601, when the event happened. */
  occurredAt: string;
  project: string;
  /** Null for an alert about no one app (the data dir's disk). */
  environment: string | null;
  app: string | null;
  deploymentId: string | null;
  releaseNumber: number | null;
  message: string;
  /** Alert events only: the alert, its state and the value that made it change (docs/alerts.md). */
  alert?: {
    id: string;
    rule: string;
    kind: string;
    state: 'firing' | 'resolved';
    subject: string;
    value: number | null;
    threshold: number | null;
    /** ISO 8601: when the condition was first seen holding. */
    activeAt: string;
  };
}

/** One notification, rendered once for every kind of target. Holds no secret. */
export interface RenderedNotification {
  payload: NotificationPayload;
  /** One line: the Slack text and the email subject. */
  subject: string;
  /** A few lines of plain text: the email body. */
  text: string;
}

export interface Notifier {
  /**
   * Sends `notification` to `destination` once, giving up when `signal` aborts (the caller's deadline). Resolves
   * with the receiver's answer in words (`HTTP 200 OK`, `250 2.0.0 Ok: queued`). Not idempotent by itself: a
   * retry sends again, with the same event id for receivers to dedupe on.
   *
   * Errors: `NOTIFICATION_FAILED` with the reason in words — the HTTP status and its text, the SMTP reply, a
   * refused connection, the deadline passed — and `details.status` (HTTP status or SMTP reply code) when there was
   * an answer. The message never holds the URL's path or query, the webhook secret or the SMTP password.
   */
  send(destination: NotificationDestination, notification: RenderedNotification, signal: AbortSignal): Promise<string>;
}
