/**
 * What the store keeps of notifications: targets (their secret parts sealed), the outbox of deliveries (one per event
 * and matching target) and every attempt at one.
 */
import type { DeliveryEvent, DeliveryEventKind } from '../delivery/delivery-events.js';

export type NotificationTargetKind = 'webhook' | 'slack' | 'email';

/**
 * A target's secret parts (a webhook's URL and signing secret, a Slack URL) sealed under a data key of the target's
 * own, wrapped by the master key like an app environment's (`SecretCipher`).
 */
export interface SealedTargetSecret {
  dataKeyId: string;
  wrappedKey: string;
  masterKeyId: string;
  nonce: string;
  ciphertext: string;
}

export interface NotificationTargetRecord {
  id: string;
  projectId: string;
  /** Null: every environment of the project. */
  environmentId: string | null;
  kind: NotificationTargetKind;
  /** Where it goes, without secret parts: `https://hooks.slack.com`, `ops@example.com`. Shown and logged. */
  destination: string;
  /** The events it receives; never empty. */
  events: DeliveryEventKind[];
  /** Webhook and Slack targets; null for email (the address is not secret). */
  sealed: SealedTargetSecret | null;
  createdAtMs: number;
}

export type NotificationDeliveryState = 'pending' | 'delivered' | 'failed';

export interface NotificationDeliveryRecord {
  id: string;
  targetId: string;
  /** The target's kind and shown destination when the delivery was made, so the history outlives the target. */
  targetKind: NotificationTargetKind;
  destination: string;
  projectId: string;
  /** The event as published (it holds no secret); rendered again at each attempt. */
  event: DeliveryEvent;
  state: NotificationDeliveryState;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface NotificationAttemptRecord {
  deliveryId: string;
  /** 1, 2, … in order. */
  seq: number;
  atMs: number;
  outcome: 'delivered' | 'failed';
  /** The receiver's answer in words, or why none came. Never holds a secret. */
  detail: string;
  durationMs: number;
}

export interface NotificationDeliveryFilter {
  projectId?: string;
  state?: NotificationDeliveryState;
  /** At most this many, newest first. */
  limit: number;
}
