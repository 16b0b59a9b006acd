/** Opaque bearer secrets (API tokens, refresh tokens): generated at random, stored only as a hash. */
export interface OpaqueTokens {
  /** A new secret: `prefix` + 256 random bits in base64url, e.g. `slw_…`. */
  generate(prefix: string): string;
  /** The SHA-256 of the secret, hex: what the store keeps and looks up. Deterministic. */
  hash(secret: string): string;
}
