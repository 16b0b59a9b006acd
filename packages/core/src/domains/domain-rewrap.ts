/**
 * Master-key rotation for domains: the data keys of certificates and ACME account keys not wrapped by the current
 * master key are re-wrapped under it, each in a transaction that re-reads the value first, so a certificate renewed
 * meanwhile is never overwritten by the old one.
 */
import type { CoreDeps } from '../core-deps.js';
import { accountScope, certificateScope, rewrapValue } from './domain-sealing.js';

/** Returns how many values were re-wrapped. Errors: `SECRET_UNREADABLE` when no held master key opens one. */
export async function rewrapDomainSecrets(deps: Pick<CoreDeps, 'store' | 'secretCipher'>): Promise<number> {
  const current = deps.secretCipher.currentMasterKeyId();
  let rewrapped = 0;
  for (const listed of await deps.store.domains.list()) {
    if (listed.certificate === null || listed.certificate.sealed.masterKeyId === current) continue;
    const dataKeyId = listed.certificate.sealed.dataKeyId;
    rewrapped += await deps.store.transaction(async (tx) => {
      const domain = await tx.domains.findByHost(listed.host);
      const certificate = domain?.certificate;
      if (domain === undefined || certificate === null || certificate === undefined) return 0;
      if (certificate.sealed.dataKeyId !== dataKeyId || certificate.sealed.masterKeyId === current) return 0;
      const sealed = rewrapValue(deps, certificateScope(domain.projectId, domain.host), certificate.sealed);
      await tx.domains.update({ ...domain, certificate: { ...certificate, sealed } });
      return 1;
    });
  }
  for (const listed of await deps.store.domains.listAccounts()) {
    if (listed.sealedKey.masterKeyId === current) continue;
    rewrapped += await deps.store.transaction(async (tx) => {
      const account = await tx.domains.findAccount(listed.directoryUrl);
      if (account === undefined || account.sealedKey.masterKeyId === current) return 0;
      const sealedKey = rewrapValue(deps, accountScope(account.directoryUrl), account.sealedKey);
      await tx.domains.saveAccount({ ...account, sealedKey });
      return 1;
    });
  }
  return rewrapped;
}
