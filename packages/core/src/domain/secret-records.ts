/** Persisted records of secrets at rest: wrapped data keys and sealed (encrypted) values; times are epoch milliseconds. */
import type { Actor } from '../identity/principal.js';

/**
 * A random data key of one app environment, stored only wrapped (encrypted) by a master key. Secrets of the app
 * environment are sealed under it; rotating the master key re-wraps it and leaves the sealed values untouched.
 */
export interface DataKeyRecord {
  id: string;
  appId: string;
  environmentId: string;
  /** The data key encrypted under the master key `masterKeyId` (base64; the format is the cipher's). */
  wrappedKey: string;
  /** Which master key wraps it: the fingerprint of that key, never the key. */
  masterKeyId: string;
  createdAtMs: number;
  /** When it was last wrapped (created or re-wrapped by a master-key rotation). */
  wrappedAtMs: number;
}

/** A value encrypted under a data key; base64 fields, the format is the cipher's. */
export interface SealedSecret {
  dataKeyId: string;
  nonce: string;
  /** Ciphertext with its authentication tag. */
  ciphertext: string;
}

/**
 * A secret of an app environment. An unset secret keeps its record with `sealed: null`, so a name set again later
 * gets a version it never had and an old ciphertext cannot pass for the new one.
 */
export interface SecretRecord {
  appId: string;
  environmentId: string;
  /** An environment variable name. */
  name: string;
  /** 1 for the first value, +1 on each change (set or unset). */
  version: number;
  /** The value, sealed; null once unset. */
  sealed: SealedSecret | null;
  updatedAtMs: number;
}

/** A secret as a release carries it: the version it had when the release was made, still sealed. */
export interface ReleaseSecretRecord {
  releaseId: string;
  name: string;
  version: number;
  sealed: SealedSecret;
}

/**
 * A secret was set or unset: what the audit log and the slipwayd log record. It names the secret and never holds its
 * value. One per name changed.
 */
export interface SecretChange {
  action: 'set' | 'unset';
  app: string;
  environment: string;
  name: string;
  /** The version the change wrote. */
  version: number;
  /** The deployment rolling out a release with the change, or null when none was started. */
  deploymentId: string | null;
  /** Who asked for it (null when the caller did not say, e.g. a test driving the core). */
  actor: Actor | null;
  atMs: number;
}
