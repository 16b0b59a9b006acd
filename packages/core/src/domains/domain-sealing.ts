/**
 * Seals certificates' private keys and ACME account keys like secrets: each value under its own data key, wrapped by
 * the master key, bound to where it belongs (the host, or the CA directory) so a copy elsewhere fails to open.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DataKeyRecord } from '../domain/secret-records.js';
import type { SealedValue } from './domain-records.js';

/** What a sealed value is bound to: a scope (project or `acme`), an owner (host or directory URL) and a name. */
export interface SealScope {
  scope: string;
  owner: string;
  name: string;
}

type SealDeps = Pick<CoreDeps, 'secretCipher' | 'ids'>;

function dataKeyOf(
  scope: SealScope,
  sealed: Pick<SealedValue, 'dataKeyId' | 'wrappedKey' | 'masterKeyId'>,
): DataKeyRecord {
  return {
    id: sealed.dataKeyId,
    appId: scope.scope,
    environmentId: scope.owner,
    wrappedKey: sealed.wrappedKey,
    masterKeyId: sealed.masterKeyId,
    createdAtMs: 0,
    wrappedAtMs: 0,
  };
}

const contextOf = (scope: SealScope) => ({
  appId: scope.scope,
  environmentId: scope.owner,
  name: scope.name,
  version: 1,
});

export function sealValue(deps: SealDeps, scope: SealScope, value: string): SealedValue {
  const dataKeyId = deps.ids.next('dk');
  const wrapped = deps.secretCipher.createDataKey({ id: dataKeyId, appId: scope.scope, environmentId: scope.owner });
  const partial = { dataKeyId, ...wrapped };
  const sealed = deps.secretCipher.seal(dataKeyOf(scope, partial), contextOf(scope), value);
  return { ...partial, nonce: sealed.nonce, ciphertext: sealed.ciphertext };
}

/** Errors: `SECRET_UNREADABLE` (a master key no longer held, tampering, a value moved from elsewhere). */
export function openValue(deps: Pick<CoreDeps, 'secretCipher'>, scope: SealScope, sealed: SealedValue): string {
  return deps.secretCipher.open(dataKeyOf(scope, sealed), contextOf(scope), {
    dataKeyId: sealed.dataKeyId,
    nonce: sealed.nonce,
    ciphertext: sealed.ciphertext,
  });
}

/** The sealed value's data key wrapped under the current master key (a master-key rotation). */
export function rewrapValue(deps: Pick<CoreDeps, 'secretCipher'>, scope: SealScope, sealed: SealedValue): SealedValue {
  return { ...sealed, ...deps.secretCipher.rewrap(dataKeyOf(scope, sealed)) };
}

export const certificateScope = (projectId: string, host: string): SealScope => ({
  scope: projectId,
  owner: host,
  name: 'domain-certificate',
});

export const accountScope = (directoryUrl: string): SealScope => ({
  scope: 'acme',
  owner: directoryUrl,
  name: 'acme-account-key',
});
