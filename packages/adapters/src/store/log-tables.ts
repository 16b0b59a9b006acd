/**
 * The log tables as Kysely sees them (migration `0020-logs`); part of `Database`. A drain's URL is sealed (`data_key_id`
 * … `ciphertext`); `destination` holds only its scheme and host.
 */
import type { Generated } from 'kysely';
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface LogLineTable {
  id: Generated<number>;
  app_id: string;
  environment: string;
  source: 'app' | 'deploy';
  process: string;
  instance_id: string;
  stream: 'stdout' | 'stderr';
  line: string;
  at_ms: BigIntColumn;
  size_bytes: number;
}

export interface LogSettingsTable {
  app_id: string;
  retention_ms: NullableBigIntColumn;
  max_bytes: NullableBigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface LogDrainTable {
  id: string;
  project_id: string;
  app_id: string | null;
  kind: 'syslog' | 'http';
  destination: string;
  data_key_id: string;
  wrapped_key: string;
  master_key_id: string;
  nonce: string;
  ciphertext: string;
  after_id: BigIntColumn;
  delivered: BigIntColumn;
  failed: BigIntColumn;
  last_error: string | null;
  /** Migration `0026-log-drain-errors`. */
  last_error_code: string | null;
  last_error_at_ms: NullableBigIntColumn;
  last_delivered_at_ms: NullableBigIntColumn;
  created_at_ms: BigIntColumn;
}

export interface LogTables {
  log_lines: LogLineTable;
  log_settings: LogSettingsTable;
  log_drains: LogDrainTable;
}
