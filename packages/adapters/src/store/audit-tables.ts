/** The audit tables as Kysely sees them (migration `0004-audit`); part of `Database`. No column holds a secret. */
import type { BigIntColumn } from './database.js';

export interface AuditRecordTable {
  seq: BigIntColumn;
  at_ms: BigIntColumn;
  kind: 'request' | 'event';
  actor_kind: 'user' | 'anonymous';
  actor_user_id: string | null;
  actor_name: string;
  actor_credential_kind: 'session' | 'api-token' | null;
  actor_credential_id: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  source_ip: string | null;
  request_id: string | null;
  outcome: 'success' | 'denied' | 'failed';
  error_code: string | null;
  /** JSON object. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditCheckpointTable {
  /** Always `anchor`. */
  name: string;
  seq: BigIntColumn;
  hash: string;
  pruned_at_ms: BigIntColumn;
}

export interface AuditTables {
  audit_records: AuditRecordTable;
  audit_checkpoints: AuditCheckpointTable;
}
