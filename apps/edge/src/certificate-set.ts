/**
 * The certificates the HTTPS listener chooses from by SNI, and the answers of ACME challenges under way, built once
 * per TLS state so a handshake or a request costs a Map lookup. A new set replaces the old one whole: handshakes
 * under way finish with the context they were given, new ones get the new set, no connection is dropped.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { EdgeHostCertificate, EdgeTlsState } from '@slipway/contract';
import { SlipwayError } from './slipway-error.js';

/** The ALPN protocol of TLS-ALPN-01 validation (RFC 8737 §6.2). */
export const acmeTlsAlpnProtocol = 'acme-tls/1';

export interface CertificateSet {
  /** The context for a server name (exact host, else its `*.parent` wildcard); undefined: the listener's default. */
  contextFor(servername: string): SecureContext | undefined;
  /** The `acme-tls/1` certificate of a TLS-ALPN-01 challenge under way for `servername`. */
  alpnContextFor(servername: string): SecureContext | undefined;
  /** True while a TLS-ALPN-01 challenge is under way: only then are ClientHellos read before the handshake. */
  readonly hasAlpnChallenges: boolean;
  /** HTTP-01 key authorizations by token; undefined when no challenge is under way (the common case). */
  readonly http01: ReadonlyMap<string, string> | undefined;
  readonly hostCount: number;
}

function contextsOf(entries: readonly EdgeHostCertificate[], what: string, alpn: boolean): Map<string, SecureContext> {
  const contexts = new Map<string, SecureContext>();
  for (const entry of entries) {
    try {
      contexts.set(
        entry.host,
        createSecureContext({
          cert: entry.cert,
          key: entry.key,
          minVersion: 'TLSv1.2',
          ...(alpn ? { ALPNProtocols: [acmeTlsAlpnProtocol] } : {}),
        }),
      );
    } catch (error) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `The ${what} of ${entry.host} is not a PEM certificate with its private key (${(error as Error).message}); the previous state is kept.`,
        { details: { host: entry.host } },
      );
    }
  }
  return contexts;
}

/** Errors: `VALIDATION_FAILED` naming the host whose certificate or key cannot be used. */
export function createCertificateSet(state: EdgeTlsState): CertificateSet {
  const contexts = contextsOf(state.certificates, 'certificate', false);
  const alpnContexts = contextsOf(state.tlsAlpn01, 'TLS-ALPN-01 certificate', true);
  const http01 =
    state.http01.length === 0
      ? undefined
      : new Map(state.http01.map((challenge) => [challenge.token, challenge.keyAuthorization]));
  return {
    contextFor(servername) {
      const host = servername.toLowerCase();
      const exact = contexts.get(host);
      if (exact !== undefined) return exact;
      const dot = host.indexOf('.');
      return dot === -1 ? undefined : contexts.get(`*${host.slice(dot)}`);
    },
    alpnContextFor: (servername) => alpnContexts.get(servername.toLowerCase()),
    hasAlpnChallenges: alpnContexts.size > 0,
    http01,
    hostCount: contexts.size,
  };
}
