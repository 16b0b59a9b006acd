/**
 * Why a custom domain is not served over HTTPS with a certificate that will be renewed, and what to do about it: the
 * coded reason `slipway domains list` shows beside a `pending`, `failed` or unrenewable domain (docs/domains.md).
 */
import type { DomainReasonCode } from '@slipway/contract';
import type { AcmeChallengeKind, DomainRecord } from './domain-records.js';

/** What the server does with domains, fixed at its start. */
export interface DomainServing {
  /** When a certificate is renewed, as a fraction of its lifetime. */
  readonly renewAtFraction: number;
  /** An ACME directory is configured: certificates are ordered and renewed. */
  readonly isOrdering: boolean;
  /** The edge has a TLS listener that serves the certificates. */
  readonly isServingTls: boolean;
  readonly challenge: AcmeChallengeKind;
}

export interface DomainReason {
  readonly code: DomainReasonCode;
  readonly message: string;
}

const reachable = (host: string, challenge: AcmeChallengeKind): string =>
  `the DNS of ${host} must point at this edge and its port ${challenge === 'http-01' ? '80' : '443 (TLS)'} be reachable from the CA`;

/** What to check after a failed order, by its code. */
function hintFor(code: string, host: string, challenge: AcmeChallengeKind): string {
  switch (code) {
    case 'ACME_CHALLENGE_FAILED':
      return `the CA could not validate the challenge: ${reachable(host, challenge)}`;
    case 'ACME_CA_UNAVAILABLE':
    case 'ACME_TIMEOUT':
      return 'the CA did not answer in time: check the --acme-directory URL and that slipwayd can reach it';
    case 'ACME_REJECTED':
      return "the CA refused the order: read its message (a rate limit, a policy, the account's e-mail)";
    default:
      return 'see the last error';
  }
}

const at = (ms: number): string => new Date(ms).toISOString();

/** Null when the domain is served with a valid certificate that will be renewed. */
export function domainReason(domain: DomainRecord, serving: DomainServing, nowMs: number): DomainReason | null {
  const { host } = domain;
  const hasValidCertificate = domain.certificate !== null && domain.certificate.notAfterMs > nowMs;
  if (!serving.isOrdering) {
    if (hasValidCertificate)
      return {
        code: 'RENEWAL_OFF',
        message: `no ACME directory is configured, so this certificate will not be renewed (it expires at ${at(domain.certificate?.notAfterMs ?? 0)}): start slipwayd with --acme-directory URL`,
      };
    return {
      code: 'ACME_NOT_CONFIGURED',
      message:
        'no ACME directory is configured, so no certificate is ordered and the domain is served over plain HTTP only: start slipwayd with --acme-directory URL (and --acme-email ADDRESS); see docs/domains.md',
    };
  }
  if (domain.lastError !== null && (domain.state === 'failed' || domain.failures > 0)) {
    const next =
      domain.nextAttemptAtMs > nowMs ? `next attempt at ${at(domain.nextAttemptAtMs)}` : 'next attempt due now';
    return {
      code: 'CERTIFICATE_RETRYING',
      message: `${domain.failures} failed order${domain.failures === 1 ? '' : 's'} in a row (last: ${domain.lastError.code}), ${next}: ${hintFor(domain.lastError.code, host, serving.challenge)}`,
    };
  }
  if (!hasValidCertificate)
    return {
      code: 'CERTIFICATE_ORDERING',
      message: `a certificate is being ordered from the ACME CA over ${serving.challenge}: ${reachable(host, serving.challenge)}`,
    };
  if (!serving.isServingTls)
    return {
      code: 'EDGE_TLS_OFF',
      message:
        'the certificate is issued but not served: the edge has no TLS listener; start slipwayd with --edge-tls ADDRESS',
    };
  return null;
}
