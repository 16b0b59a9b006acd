/**
 * What slipwayd sends the edge router for TLS (`PUT /tls` on its admin socket): a certificate per host for SNI, and
 * the answers of ACME challenges under way (HTTP-01 tokens, TLS-ALPN-01 certificates). Type only: the edge checks
 * it by hand (see `apps/edge/src/edge-tls-state.ts`), as it does the routing table.
 */

/** A certificate chain and its private key (PEM) for one host name, exact or `*.domain`. */
export interface EdgeHostCertificate {
  readonly host: string;
  readonly cert: string;
  readonly key: string;
}

/** One HTTP-01 challenge: `GET /.well-known/acme-challenge/<token>` answers `keyAuthorization` (RFC 8555 §8.3). */
export interface EdgeHttp01Challenge {
  readonly token: string;
  readonly keyAuthorization: string;
}

export interface EdgeTlsState {
  readonly certificates: readonly EdgeHostCertificate[];
  readonly http01: readonly EdgeHttp01Challenge[];
  /** Self-signed `acme-tls/1` certificates (RFC 8737), served only to a client that offers that protocol alone. */
  readonly tlsAlpn01: readonly EdgeHostCertificate[];
}
