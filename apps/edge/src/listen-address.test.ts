import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress } from './listen-address.js';

describe('listen addresses', () => {
  it('reads HOST:PORT, with IPv6 hosts in brackets', () => {
    expect(parseListenAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(formatListenAddress({ host: '::1', port: 443 })).toBe('[::1]:443');
  });

  it('refuses what is not HOST:PORT with VALIDATION_FAILED', () => {
    for (const text of ['8080', 'localhost', 'host:99999', ':80']) {
      expect(() => parseListenAddress(text)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }) as Error);
    }
  });
});
