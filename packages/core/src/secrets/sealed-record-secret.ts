/**
 * A stored record's secret parts (a notification target's URL, a log drain's URL) sealed under a data key of the
 * record's own, wrapped by the master key like an app environment's (`SecretCipher`); the key's id and wrapped form
 * live in the record's row.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DataKeyRecord } from '../domain/secret-records.js';
import type { SealedTargetSecret } from '../notifications/notification-records.js';

/** The record the secret belongs to: its own id, and the project it is under. */
export interface SealedSecretScope {
  readonly id: string;
  readonly projectId: string;
}

/** The record's own data key, as the cipher takes it. */
export function dataKeyOfRecord(scope: SealedSecretScope, sealed: SealedTargetSecret): DataKeyRecord {
  return {
    id: sealed.dataKeyId,
    appId: scope.projectId,
    environmentId: scope.id,
    wrappedKey: sealed.wrappedKey,
    masterKeyId: sealed.masterKeyId,
    createdAtMs: 0,
    wrappedAtMs: 0,
  };
}

/** Seals `plaintext` under a new data key of the record's; `name` binds the sealed text to what it is. */
export function sealRecordSecret(
  deps: Pick<CoreDeps, 'secretCipher' | 'ids'>,
  scope: SealedSecretScope,
  name: string,
  plaintext: string,
): SealedTargetSecret {
  const dataKeyId = deps.ids.next('dk');
  const wrapped = deps.secretCipher.createDataKey({ id: dataKeyId, appId: scope.projectId, environmentId: scope.id });
  const partial = { dataKeyId, ...wrapped, nonce: '', ciphertext: '' };
  const sealed = deps.secretCipher.seal(
    dataKeyOfRecord(scope, partial),
    { appId: scope.projectId, environmentId: scope.id, name, version: 1 },
    plaintext,
  );
  return { ...partial, nonce: sealed.nonce, ciphertext: sealed.ciphertext };
}

/** Errors: `SECRET_UNREADABLE` when it does not open (a master key no longer held, tampering). */
export function openRecordSecret(
  deps: Pick<CoreDeps, 'secretCipher'>,
  scope: SealedSecretScope,
  name: string,
  sealed: SealedTargetSecret,
): string {
  return deps.secretCipher.open(
    dataKeyOfRecord(scope, sealed),
    { appId: scope.projectId, environmentId: scope.id, name, version: 1 },
    { dataKeyId: sealed.dataKeyId, nonce: sealed.nonce, ciphertext: sealed.ciphertext },
  );
}
