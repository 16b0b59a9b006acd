/** Short-lived signed access tokens (JWTs) and their signing keys: generated, rotated, kept for verification. */
export interface AccessTokenClaims {
  readonly userId: string;
  readonly sessionId: string;
}

export interface VerifiedAccessToken extends AccessTokenClaims {
  readonly keyId: string;
  readonly expiresAtMs: number;
}

export interface SignedAccessToken {
  readonly token: string;
  readonly keyId: string;
  readonly expiresAtMs: number;
}

export interface KeyRotation {
  readonly activeKeyId: string;
  /** Every key that still verifies, the active one first. */
  readonly verificationKeyIds: readonly string[];
}

export interface AccessTokenSigner {
  /** Creates the first signing key when there is none; idempotent. Also drops keys that verify nothing any more. */
  ensureKey(): Promise<void>;
  /** Signs a token valid for the configured lifetime with the active key (created if missing). */
  sign(claims: AccessTokenClaims): Promise<SignedAccessToken>;
  /**
   * Checks signature, algorithm, issuer, audience and expiry against the keys that still verify.
   * Anything invalid (malformed, expired, unknown key, tampered) is `undefined`, never an error.
   */
  verify(token: string): Promise<VerifiedAccessToken | undefined>;
  /** Makes a new key active; the previous one verifies only until the last token it signed expires. */
  rotate(): Promise<KeyRotation>;
}
