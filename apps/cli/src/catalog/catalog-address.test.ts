import { describe, expect, it } from 'vitest';
import { parseCatalogAddress } from './catalog-address.js';

describe('a catalog address', () => {
  it('takes host:port, an IPv6 literal or an http(s) URL', () => {
    expect(parseCatalogAddress('127.0.0.1:8500', '--catalog-addr')).toBe('http://127.0.0.1:8500');
    expect(parseCatalogAddress('[::1]:8500', '--catalog-addr')).toBe('http://[::1]:8500');
    expect(parseCatalogAddress('https://catalog.internal:8501/', '$CONSUL_HTTP_ADDR')).toBe(
      'https://catalog.internal:8501',
    );
  });

  it('refuses other schemes and credentials in the URL, naming where the address came from', () => {
    expect(() => parseCatalogAddress('unix:///run/consul.sock', '$CONSUL_HTTP_ADDR')).toThrow(
      '$CONSUL_HTTP_ADDR is not host:port or an http(s) URL',
    );
    expect(() => parseCatalogAddress('http://user:secret@host:8500', '--catalog-addr')).toThrow(
      '--catalog-addr must not carry credentials: the token goes in a header',
    );
    expect(() => parseCatalogAddress('http://user:secret@host:8500', '--catalog-addr')).not.toThrow(/secret/);
  });
});
