/** The domains and ACME accounts tables as Kysely sees them (migration `0022-domains-certificates`); part of `Database`. */
import type { BigIntColumn } from './database.js';

export interface DomainTable {
  host: string;
  project_id: string;
  app_id: string;
  environment_id: string;
  origin: string;
  verification: string;
  state: string;
  /** JSON of `DomainCertificate` (its chain and key sealed); null before the first. */
  certificate: string | null;
  /** JSON of `DomainError`. */
  last_error: string | null;
  failures: number;
  next_attempt_at_ms: BigIntColumn;
  expiry_notified_at_ms: BigIntColumn | null;
  /** `default` | `on` | `off` (migration `0028-domain-https`). */
  https_redirect: string;
  hsts_max_age_seconds: number | null;
  created_at_ms: BigIntColumn;
}

export interface AcmeAccountTable {
  directory_url: string;
  /** JSON of `SealedValue`. */
  sealed_key: string;
  account_url: string | null;
  created_at_ms: BigIntColumn;
}

export interface DomainTables {
  domains: DomainTable;
  acme_accounts: AcmeAccountTable;
}
