import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRandomOpaqueTokens } from './random-opaque-tokens.js';

describe('createRandomOpaqueTokens', () => {
  it('generates prefixed secrets of 256 random bits, all different', () => {
    const tokens = createRandomOpaqueTokens();
    const secrets = new Set(Array.from({ length: 1000 }, () => tokens.generate('slw_')));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) expect(secret).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes a secret to its SHA-256 in hex, the same every time and different for another secret', () => {
    const tokens = createRandomOpaqueTokens();
    const secret = tokens.generate('slwr_');
    expect(tokens.hash(secret)).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(tokens.hash(secret)).toBe(tokens.hash(secret));
    expect(tokens.hash(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.hash(`${secret}x`)).not.toBe(tokens.hash(secret));
  });
});
