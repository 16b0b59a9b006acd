/** The persistence of secrets at rest: wrapped data keys and sealed secrets; part of the `Store` port. */
import type { DataKeyRecord, ReleaseSecretRecord, SecretRecord } from '../domain/secret-records.js';

export interface DataKeyRepository {
  insert(record: DataKeyRecord): Promise<void>;
  findById(id: string): Promise<DataKeyRecord | undefined>;
  /** The newest data key of the app environment: the one new secrets are sealed under. */
  findCurrent(appId: string, environmentId: string): Promise<DataKeyRecord | undefined>;
  /** Data keys wrapped by a master key other than `masterKeyId`, oldest first, at most `limit`. */
  listNotWrappedBy(masterKeyId: string, limit: number): Promise<DataKeyRecord[]>;
  /**
   * Stores a new wrapping of the data key if it is still wrapped by `expectedMasterKeyId`; returns false (and writes
   * nothing) when it is not (someone re-wrapped it first, or it is gone).
   */
  rewrap(
    id: string,
    expectedMasterKeyId: string,
    wrapped: Pick<DataKeyRecord, 'wrappedKey' | 'masterKeyId' | 'wrappedAtMs'>,
  ): Promise<boolean>;
  /** Number of data keys per wrapping master key id. */
  countByMasterKey(): Promise<Record<string, number>>;
}

export interface SecretRepository {
  /** Secrets of the app environment that are set (not unset), ordered by name. */
  list(appId: string, environmentId: string): Promise<SecretRecord[]>;
  /** The record of a name, also when it is unset (`sealed: null`). */
  find(appId: string, environmentId: string, name: string): Promise<SecretRecord | undefined>;
  /**
   * Writes the record of (appId, environmentId, name) if the stored version is `expectedVersion` (null: no record
   * yet). Errors: `VERSION_CONFLICT` when it is not (someone else wrote first).
   */
  put(record: SecretRecord, expectedVersion: number | null): Promise<void>;
  /** Copies the set secrets of the app environment, sealed as they are, into the release's snapshot. */
  snapshotToRelease(releaseId: string, appId: string, environmentId: string): Promise<void>;
  /** The secrets a release carries, ordered by name. */
  listForRelease(releaseId: string): Promise<ReleaseSecretRecord[]>;
}
