/** An ACME (RFC 8555) client that orders a certificate for one host from a CA, proving control by a challenge. */
import type { AcmeChallengeKind } from '../domains/domain-records.js';

/** What the edge must answer while the CA validates (RFC 8555 §8.3, RFC 8737 §3). */
export type AcmeChallengeAnswer =
  | { kind: 'http-01'; host: string; token: string; keyAuthorization: string }
  | { kind: 'tls-alpn-01'; host: string; cert: string; key: string };

export interface AcmeChallengeResponder {
  /** Resolves once the edge answers the challenge. */
  present(answer: AcmeChallengeAnswer): Promise<void>;
  /** Idempotent; never throws. */
  remove(answer: AcmeChallengeAnswer): Promise<void>;
}

export interface IssuedCertificate {
  /** The leaf certificate and its chain (PEM). */
  cert: string;
  /** The certificate's private key (PEM). */
  key: string;
  notBeforeMs: number;
  notAfterMs: number;
}

export interface AcmeIssueRequest {
  host: string;
  challenge: AcmeChallengeKind;
  /** The account's private key (PEM): created with `createAccountKey`, kept sealed by the caller. */
  accountKey: string;
  /** The account URL the CA gave before, to skip a lookup; null the first time. */
  accountUrl: string | null;
  /** Aborts the order (shutdown): the issue then rejects with `ACME_TIMEOUT`. */
  signal?: AbortSignal;
}

export interface AcmeIssuer {
  /** The CA's directory URL: one account per directory. */
  readonly directoryUrl: string;
  /** A fresh account key (PEM). */
  createAccountKey(): Promise<string>;
  /**
   * Registers the account (idempotent at the CA), orders a certificate for `host`, answers the challenge through
   * `responder`, finalizes with a fresh certificate key and downloads the chain. Bounded: every call to the CA has a
   * deadline and the whole order has one. Errors: `ACME_TIMEOUT` (a deadline passed), `ACME_CA_UNAVAILABLE` (the CA
   * cannot be reached or answers 5xx), `ACME_CHALLENGE_FAILED` (the CA could not validate the challenge),
   * `ACME_REJECTED` (the CA refused the request: rate limit, policy, bad account). Messages hold no key.
   */
  issue(
    request: AcmeIssueRequest,
    responder: AcmeChallengeResponder,
  ): Promise<IssuedCertificate & { accountUrl: string }>;
}
