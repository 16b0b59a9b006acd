/** The host claims table as Kysely sees it (migration `0006-tenancy-hosts`); part of `Database`. */
import type { HostClaimRecord } from '@slipway/core';
import type { BigIntColumn } from './database.js';

export interface HostClaimTable {
  /** The primary key: one project per host. */
  host: string;
  project_id: string;
  origin: HostClaimRecord['origin'];
  app_id: string | null;
  created_at_ms: BigIntColumn;
}

export interface HostClaimTables {
  host_claims: HostClaimTable;
}
