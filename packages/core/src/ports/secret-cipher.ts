/**
 * Envelope encryption of secrets: values are sealed under a per-app-environment data key, and data keys are stored
 * wrapped by a master key the cipher holds. Every operation binds its output to where it belongs (associated data),
 * so a ciphertext or wrapped key copied to another place fails to open.
 */
import type { DataKeyRecord, SealedSecret } from '../domain/secret-records.js';

/** Where a sealed value belongs; all of it is bound to the ciphertext. */
export interface SecretContext {
  appId: string;
  environmentId: string;
  name: string;
  version: number;
}

/** A data key's wrapped form and the master key that wraps it. */
export interface WrappedKey {
  wrappedKey: string;
  masterKeyId: string;
}

export interface SecretCipher {
  /** Fingerprint of the master key that wraps new data keys (and re-wraps old ones). Not secret. */
  currentMasterKeyId(): string;
  /** True when `masterKeyId` is a master key the cipher holds (the current one or one still being rotated away). */
  hasMasterKey(masterKeyId: string): boolean;
  /**
   * A fresh random 256-bit data key for the app environment, wrapped under the current master key and bound to
   * `id`, `appId` and `environmentId`.
   */
  createDataKey(scope: { id: string; appId: string; environmentId: string }): WrappedKey;
  /**
   * Encrypts `value` under the data key, bound to `context`; a fresh random nonce each call.
   * Errors: `SECRET_UNREADABLE` when the data key cannot be unwrapped (unknown master key, tampered).
   */
  seal(dataKey: DataKeyRecord, context: SecretContext, value: string): SealedSecret;
  /**
   * Decrypts a sealed value. Errors: `SECRET_UNREADABLE` when the data key cannot be unwrapped or the value does not
   * authenticate under `context` (tampered, or moved from another secret). The message never holds a value.
   */
  open(dataKey: DataKeyRecord, context: SecretContext, sealed: SealedSecret): string;
  /**
   * The data key wrapped under the current master key. Errors: `SECRET_UNREADABLE` when no held master key opens it.
   */
  rewrap(dataKey: DataKeyRecord): WrappedKey;
}
