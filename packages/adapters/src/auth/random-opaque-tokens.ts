/** OpaqueTokens on node:crypto: 256 random bits in base64url after a prefix; stored as their SHA-256. */
import { createHash, randomBytes } from 'node:crypto';
import type { OpaqueTokens } from '@slipway/core';

export function createRandomOpaqueTokens(): OpaqueTokens {
  return {
    generate: (prefix) => `${prefix}${randomBytes(32).toString('base64url')}`,
    hash: (secret) => createHash('sha256').update(secret, 'utf8').digest('hex'),
  };
}
