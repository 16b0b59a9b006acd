/** Custom domains with their certificates, and the ACME accounts certificates are ordered with. */
import type { AcmeAccountRecord, DomainRecord } from '../domains/domain-records.js';

export interface DomainRepository {
  /** Errors: `DOMAIN_EXISTS` when the host has a domain already. */
  insert(record: DomainRecord): Promise<void>;
  /** Replaces the record of `record.host`; no-op when there is none. */
  update(record: DomainRecord): Promise<void>;
  findByHost(host: string): Promise<DomainRecord | undefined>;
  /** Every domain, by host. */
  list(): Promise<DomainRecord[]>;
  /** Idempotent. */
  delete(host: string): Promise<void>;
  findAccount(directoryUrl: string): Promise<AcmeAccountRecord | undefined>;
  /** Every ACME account (one per directory). */
  listAccounts(): Promise<AcmeAccountRecord[]>;
  /** Inserts or replaces the account of `record.directoryUrl`. */
  saveAccount(record: AcmeAccountRecord): Promise<void>;
}
