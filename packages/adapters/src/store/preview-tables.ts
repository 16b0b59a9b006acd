/** The previews tables as Kysely sees them (migration `0018-previews`); part of `Database`. */
import type { PreviewState } from '@slipway/core';
import type { BigIntColumn } from './database.js';

export interface PreviewSettingsTable {
  app_id: string;
  repository_id: string;
  max_previews: number;
  idle_ttl_ms: BigIntColumn;
  /** JSON of `PreviewProviderAccess` (the token sealed), or null. */
  provider: string | null;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface PreviewTable {
  id: string;
  app_id: string;
  repository_id: string;
  number: BigIntColumn;
  title: string;
  head_ref: string;
  head_sha: string;
  /** 0 or 1. */
  is_fork: number;
  head_clone_url: string | null;
  state: PreviewState;
  environment_id: string | null;
  deployment_id: string | null;
  approved_by: string | null;
  approved_sha: string | null;
  /** JSON object of strings. */
  provider_refs: string;
  last_event_at_ms: BigIntColumn;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface PreviewTables {
  preview_settings: PreviewSettingsTable;
  previews: PreviewTable;
}
