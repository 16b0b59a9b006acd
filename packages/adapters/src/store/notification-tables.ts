/**
 * The notification tables as Kysely sees them (migration `0013-notifications`); part of `Database`. A target's
 * secret parts are sealed (`sealed_*`); no column holds a webhook secret or a Slack URL in plain text.
 */
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface NotificationTargetTable {
  id: string;
  project_id: string;
  environment_id: string | null;
  kind: 'webhook' | 'slack' | 'email';
  destination: string;
  /** JSON array of event kinds. */
  events: string;
  /** All five null for email targets. */
  data_key_id: string | null;
  wrapped_key: string | null;
  master_key_id: string | null;
  nonce: string | null;
  ciphertext: string | null;
  created_at_ms: BigIntColumn;
}

export interface NotificationDeliveryTable {
  id: string;
  target_id: string;
  target_kind: 'webhook' | 'slack' | 'email';
  destination: string;
  project_id: string;
  event_id: string;
  event_kind: string;
  /** JSON: the `DeliveryEvent`. */
  event: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at_ms: NullableBigIntColumn;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface NotificationAttemptTable {
  delivery_id: string;
  seq: number;
  at_ms: BigIntColumn;
  outcome: 'delivered' | 'failed';
  detail: string;
  duration_ms: BigIntColumn;
}

export interface NotificationTables {
  notification_targets: NotificationTargetTable;
  notification_deliveries: NotificationDeliveryTable;
  notification_attempts: NotificationAttemptTable;
}
