/**
 * The composition of custom domains: the ACME issuer (when a directory is configured), the certificate manager that
 * keeps every domain's certificate valid and the edge's TLS state current, started after the first reconcile and
 * stopped (its order under way abandoned) on shutdown.
 */
import { readFile } from 'node:fs/promises';
import { SlipwayError } from '@slipway/contract';
import {
  createCertificateManager,
  defaultCertificateSettings,
  type CertificateManager,
  type CoreDeps,
  type DomainServing,
  type EdgeTls,
} from '@slipway/core';
import type { ResolvedConfig } from './config.js';
import { createAcmeClientIssuer } from './domains/acme-client-issuer.js';

export interface DomainsSetup {
  readonly manager: CertificateManager;
  readonly serving: DomainServing;
  poke(): void;
}

/** Errors: `TLS_CONFIG_INVALID` when the ACME CA file cannot be read. */
export async function setupDomains(
  config: ResolvedConfig,
  deps: CoreDeps,
  edge: EdgeTls,
  /** Re-syncs the routing table (a certificate issued turns on its host's redirect and HSTS). */
  syncRoutes: () => Promise<unknown>,
): Promise<DomainsSetup> {
  let directoryCa: string | undefined;
  if (config.acmeCaFile !== undefined) {
    directoryCa = await readFile(config.acmeCaFile, 'utf8').catch((error: unknown) => {
      throw new SlipwayError(
        'TLS_CONFIG_INVALID',
        `cannot read the ACME CA file ${config.acmeCaFile}: ${(error as Error).message}`,
      );
    });
  }
  const issuer =
    config.acmeDirectoryUrl === undefined
      ? undefined
      : createAcmeClientIssuer({
          directoryUrl: config.acmeDirectoryUrl,
          email: config.acmeEmail,
          directoryCa,
          callTimeoutMs: config.acmeCallTimeoutMs,
          orderTimeoutMs: config.acmeOrderTimeoutMs,
        });
  const manager = createCertificateManager(
    { ...deps, edge, issuer, onCertificatesChanged: syncRoutes },
    {
      ...defaultCertificateSettings,
      renewAtFraction: config.certificateRenewAtFraction,
      retryDelaysMs: config.certificateRetryDelaysMs,
      expiryWarningMs: config.certificateExpiryWarningDays * 86_400_000,
      challenge: config.acmeChallenge,
      checkIntervalMs: config.certificateCheckIntervalMs,
    },
  );
  const serving: DomainServing = {
    renewAtFraction: config.certificateRenewAtFraction,
    isOrdering: issuer !== undefined,
    isServingTls: config.edgeTls !== undefined,
    challenge: config.acmeChallenge,
  };
  return { manager, serving, poke: () => manager.poke() };
}
