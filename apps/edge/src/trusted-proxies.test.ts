import { describe, expect, it } from 'vitest';
import { createTrustedProxies, parseTrustedProxies } from './trusted-proxies.js';

describe('trusted proxies', () => {
  it('trusts the listed addresses and ranges only, IPv4 and IPv6', () => {
    const trusted = parseTrustedProxies(' 10.0.0.0/8, 203.0.113.7 ,fd00::/8,::1');
    expect(['10.1.2.3', '203.0.113.7', 'fd12::1', '::1'].map((address) => trusted.has(address))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['11.0.0.1', '203.0.113.8', 'fe80::1', '127.0.0.1', '', 'not-an-ip'].map((a) => trusted.has(a))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('trusts nobody when none is listed', () => {
    expect(createTrustedProxies([]).has('127.0.0.1')).toBe(false);
    expect(parseTrustedProxies('').has('127.0.0.1')).toBe(false);
  });

  it.each(['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/', '10.0.0.0/x', '1.2.3.4/-1', '*'])(
    'refuses %s with VALIDATION_FAILED',
    (entry) => {
      expect(() => createTrustedProxies([entry])).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    },
  );
});
