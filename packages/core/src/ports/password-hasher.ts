/** Password hashing as a port: a slow, salted, memory-hard hash whose parameters travel with it. */
export interface PasswordVerdict {
  readonly isValid: boolean;
  /** The hash was made with other parameters than the current ones: store a new hash after this login. */
  readonly needsRehash: boolean;
}

export interface PasswordHasher {
  /** A new salted hash, encoding algorithm and parameters with it (so they can be raised later). */
  hash(password: string): Promise<string>;
  /**
   * Compares in constant time. A malformed or unknown encoding is `{ isValid: false }`, never an error.
   * `encoded` undefined still does the work of one verification, so an unknown user takes as long as a known one.
   */
  verify(password: string, encoded: string | undefined): Promise<PasswordVerdict>;
}
