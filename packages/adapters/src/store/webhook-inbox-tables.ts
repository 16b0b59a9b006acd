/** The webhook tables as Kysely sees them (migration `0016-webhook-inbox`); part of `Database`. */
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface GitWebhookSecretTable {
  repository_id: string;
  data_key_id: string;
  wrapped_key: string;
  master_key_id: string;
  current_version: number;
  /** JSON `SealedSecret`. */
  current_sealed: string;
  previous_version: number | null;
  previous_sealed: string | null;
  previous_until_ms: NullableBigIntColumn;
  rotated_at_ms: BigIntColumn;
}

export interface GitWebhookDeliveryTable {
  id: string;
  repository_id: string;
  provider: string;
  delivery_key: string;
  event_name: string;
  state: string;
  /** JSON `GitEvent[]`. */
  events: string;
  subject: string | null;
  head_sha: string | null;
  outcome: string | null;
  reason: string | null;
  /** JSON `string[]`. */
  deployment_ids: string;
  attempts: number;
  lease_owner: string | null;
  lease_until_ms: NullableBigIntColumn;
  received_at_ms: BigIntColumn;
  processed_at_ms: NullableBigIntColumn;
}

export interface WebhookInboxTables {
  git_webhook_secrets: GitWebhookSecretTable;
  git_webhook_deliveries: GitWebhookDeliveryTable;
}
