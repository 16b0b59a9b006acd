import { describe, expect, it } from 'vitest';
import { parseCatalogDnsName } from './catalog-dns-name.js';

const a = 1;
const srv = 33;
const parse = (name: string, type = a) => parseCatalogDnsName(name.split('.'), type);

describe('catalog DNS names', () => {
  it('reads a service with an optional tag and datacenter, case-insensitively', () => {
    expect(parse('web.service.consul')).toEqual({
      kind: 'service',
      service: 'web',
      tag: undefined,
      datacenter: undefined,
    });
    expect(parse('Primary.WEB.service.DC1.consul')).toEqual({
      kind: 'service',
      service: 'web',
      tag: 'primary',
      datacenter: 'dc1',
    });
  });

  it('joins every label before the service into one tag, as Consul 0.3 did', () => {
    expect(parse('v1.2.web.service.consul')).toMatchObject({ kind: 'service', service: 'web', tag: 'v1.2' });
  });

  it('reads RFC 2782 names, with _tcp meaning no tag and the service label optional for SRV', () => {
    expect(parse('_web._tcp.service.consul', srv)).toMatchObject({ service: 'web', tag: undefined });
    expect(parse('_web._canary.service.dc1.consul', srv)).toMatchObject({
      service: 'web',
      tag: 'canary',
      datacenter: 'dc1',
    });
    expect(parse('_web._tcp.consul', srv)).toMatchObject({ kind: 'service', service: 'web', tag: undefined });
    expect(parse('_web._tcp.dc1.consul', srv)).toMatchObject({ kind: 'service', datacenter: 'dc1' });
    // Without SRV, the service label is required.
    expect(parse('_web._tcp.consul', a)).toEqual({ kind: 'invalid' });
  });

  it('reads nodes, dots in their names included', () => {
    expect(parse('e2e.node.consul')).toEqual({ kind: 'node', node: 'e2e', datacenter: undefined });
    expect(parse('db.eu.node.dc1.consul')).toEqual({ kind: 'node', node: 'db.eu', datacenter: 'dc1' });
  });

  it('reads addresses encoded in hex, IPv4 and IPv6', () => {
    expect(parse('c000020a.addr.dc1.consul')).toEqual({
      kind: 'addr',
      address: '192.0.2.10',
      family: 4,
      datacenter: 'dc1',
    });
    expect(parse('20010db8000000000000000000000001.addr.consul')).toMatchObject({
      address: '2001:db8:0:0:0:0:0:1',
      family: 6,
    });
    expect(parse('c00002.addr.consul')).toEqual({ kind: 'invalid' });
    expect(parse('zz00020a.addr.consul')).toEqual({ kind: 'invalid' });
  });

  it('tells names outside consul. from names under it that the catalog does not serve', () => {
    expect(parse('example.com')).toEqual({ kind: 'outside' });
    expect(parse('consul.example')).toEqual({ kind: 'outside' });
    expect(parseCatalogDnsName([], a)).toEqual({ kind: 'outside' });
    expect(parse('consul')).toEqual({ kind: 'domain' });
    expect(parse('CONSUL')).toEqual({ kind: 'domain' });
    expect(parse('web.consul')).toEqual({ kind: 'invalid' });
    expect(parse('service.consul')).toEqual({ kind: 'invalid' });
    expect(parse('web.service.dc1.extra.consul')).toEqual({ kind: 'invalid' });
    expect(parse('node.consul')).toEqual({ kind: 'invalid' });
  });
});
