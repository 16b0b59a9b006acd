/** Persisted records of custom domains and their certificates; times are epoch milliseconds. */

/** A value sealed under its own data key, wrapped by the master key (the layout notification targets use). */
export interface SealedValue {
  dataKeyId: string;
  wrappedKey: string;
  masterKeyId: string;
  nonce: string;
  ciphertext: string;
}

/** How a domain's project came to hold its host: an admin's grant, or a certificate issued over an ACME challenge. */
export type DomainVerification = 'pending' | 'grant' | 'acme';

/** `pending`: no certificate yet; `active`: served with a valid one; `failed`: the last attempt failed (see error). */
export type DomainState = 'pending' | 'active' | 'failed';

/** How the CA checked control of the host. */
export type AcmeChallengeKind = 'http-01' | 'tls-alpn-01';

export interface DomainCertificate {
  /** The certificate chain and its private key as JSON `{ cert, key }` (PEM), sealed. */
  sealed: SealedValue;
  notBeforeMs: number;
  notAfterMs: number;
  issuedAtMs: number;
  challenge: AcmeChallengeKind;
}

/** Why the last attempt failed: a stable code (see `DomainErrorCode` in the contract) and a message without secrets. */
export interface DomainError {
  code: string;
  message: string;
  atMs: number;
}

export interface DomainRecord {
  /** Lowercase host name; the primary key (one domain per host). */
  host: string;
  projectId: string;
  appId: string;
  environmentId: string;
  /** `added` by `slipway domains add`; `route` found routed by a manifest's routes. */
  origin: 'added' | 'route';
  verification: DomainVerification;
  state: DomainState;
  certificate: DomainCertificate | null;
  lastError: DomainError | null;
  /** Failed attempts in a row (the backoff grows with it); 0 after a success. */
  failures: number;
  /** No attempt before this (backoff after a failure; 0: due now). */
  nextAttemptAtMs: number;
  /** When `certificate.expiring` was published for the current certificate; null: not yet. */
  expiryNotifiedAtMs: number | null;
  /** Plain HTTP redirected to HTTPS once the certificate is valid: `default` follows the server's `--https-redirect`. */
  httpsRedirect: DomainHttpsRedirect;
  /** HSTS max-age sent once the certificate is valid (0: none); null follows the server's `--hsts-max-age`. */
  hstsMaxAgeSeconds: number | null;
  createdAtMs: number;
}

/** A domain's HTTPS redirect: `on`, `off`, or the server's setting (`default`). */
export type DomainHttpsRedirect = 'default' | 'on' | 'off';

/** The ACME account of one CA directory: its key, sealed, and the account URL the CA gave it. */
export interface AcmeAccountRecord {
  directoryUrl: string;
  sealedKey: SealedValue;
  accountUrl: string | null;
  createdAtMs: number;
}
