import {
  createCatalog,
  type CatalogEngine,
  type CheckStatus,
  type Clock,
  type ServiceRegistration,
} from '@slipway/core';
import { createMemoryCatalogStore, silentLogger } from '@slipway/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askDnsTcp, askDnsUdp, recordData } from './ask-dns.js';
import type { CatalogDnsQueryEvent } from './catalog-dns-resolver.js';
import { startCatalogDns, type CatalogDnsServer } from './start-catalog-dns.js';

const nowMs = Date.UTC(2026, 11, 6, 12);
const clock: Clock = {
  nowMs: () => nowMs,
  sleep: () => new Promise(() => undefined),
};

const instance = (
  id: string,
  overrides: Partial<ServiceRegistration> & { status?: CheckStatus } = {},
): ServiceRegistration => {
  const { status = 'passing', ...rest } = overrides;
  return {
    id,
    name: 'web',
    tags: [],
    address: '',
    port: 8000,
    meta: {},
    taggedAddresses: {},
    weights: { passing: 1, warning: 1 },
    enableTagOverride: false,
    source: { kind: 'agent' },
    checks: [
      {
        checkId: `service:${id}`,
        name: `Service 'web' check`,
        serviceId: id,
        notes: '',
        status,
        definition: { type: 'ttl', ttlMs: 3_600_000 },
      },
    ],
    ...rest,
  };
};

const dataOf = recordData;

describe('catalog DNS over UDP and TCP, answered from the engine', () => {
  let catalog: CatalogEngine;
  let dns: CatalogDnsServer;
  let events: CatalogDnsQueryEvent[];

  const start = (anonymousRead: 'none' | 'health' | 'all' = 'health') =>
    startCatalogDns({
      host: '127.0.0.1',
      port: 0,
      catalog,
      clock,
      logger: silentLogger,
      anonymousRead,
      onQuery: (event) => events.push(event),
    });

  beforeEach(async () => {
    events = [];
    catalog = await createCatalog({
      store: createMemoryCatalogStore(),
      clock,
      logger: silentLogger,
      datacenter: 'dc1',
      node: { name: 'alpha', address: '127.0.0.1', meta: { rack: 'r1' } },
    });
    await catalog.registerService(instance('web-1', { port: 8001, tags: ['primary', 'v1'] }));
    await catalog.registerService(
      instance('web-2', {
        address: '192.0.2.10',
        port: 8002,
        tags: ['v1'],
        weights: { passing: 5, warning: 2 },
        status: 'warning',
      }),
    );
    await catalog.registerService(instance('web-3', { address: '192.0.2.11', port: 8003, status: 'critical' }));
    await catalog.registerService(instance('db-1', { name: 'db', port: 5432, status: 'critical' }));
    dns = await start();
  });

  afterEach(async () => {
    await dns.close();
    await catalog.close();
  });

  it('answers A with the address of every instance without a critical check, TTL 0, authoritatively', async () => {
    const { packet } = await askDnsUdp(dns.port, 'web.service.consul');
    expect(packet.rcode).toBe('NOERROR');
    expect(packet.flag_aa).toBe(true);
    expect(dataOf(packet.answers, 'A').sort()).toEqual(['127.0.0.1', '192.0.2.10']);
    expect(packet.answers?.every((answer) => answer.type === 'A' && answer.ttl === 0)).toBe(true);
    expect(events).toEqual([{ transport: 'udp', kind: 'service', rcode: 'NOERROR' }]);
  });

  it('answers SRV with node and address targets, weights by status, and their records in Additional', async () => {
    const { packet } = await askDnsUdp(dns.port, 'web.service.dc1.consul', { type: 'SRV' });
    const srv = dataOf(packet.answers, 'SRV').sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(srv).toEqual([
      { priority: 1, weight: 1, port: 8001, target: 'alpha.node.dc1.consul' },
      { priority: 1, weight: 2, port: 8002, target: 'c000020a.addr.dc1.consul' },
    ]);
    const additional = (packet.additionals ?? []).map((record) => [
      record.type,
      record.name,
      'data' in record ? record.data : undefined,
    ]);
    expect(additional).toContainEqual(['A', 'alpha.node.dc1.consul', '127.0.0.1']);
    expect(additional).toContainEqual(['A', 'c000020a.addr.dc1.consul', '192.0.2.10']);
    expect(additional).toContainEqual(['TXT', 'alpha.node.dc1.consul', [Buffer.from('rack=r1')]]);
  });

  it('filters by tag in both forms, RFC 2782 included, and matches names case-insensitively', async () => {
    const tagged = await askDnsUdp(dns.port, 'PRIMARY.Web.Service.CONSUL');
    expect(dataOf(tagged.packet.answers, 'A')).toEqual(['127.0.0.1']);
    expect(tagged.packet.questions?.[0]?.name).toBe('PRIMARY.Web.Service.CONSUL');
    const rfc = await askDnsUdp(dns.port, '_web._v1.service.consul', { type: 'SRV' });
    expect(dataOf(rfc.packet.answers, 'SRV')).toHaveLength(2);
    const untagged = await askDnsUdp(dns.port, '_web._tcp.consul', { type: 'SRV' });
    expect(dataOf(untagged.packet.answers, 'SRV')).toHaveLength(2);
    const none = await askDnsUdp(dns.port, 'canary.web.service.consul');
    expect(none.packet.rcode).toBe('NXDOMAIN');
  });

  it('answers NXDOMAIN with the SOA for an unknown name, a service without a healthy instance, another datacenter', async () => {
    for (const name of ['nope.service.consul', 'db.service.consul', 'web.service.dc2.consul', 'web.consul']) {
      const { packet } = await askDnsUdp(dns.port, name);
      expect(packet.rcode, name).toBe('NXDOMAIN');
      expect(packet.answers, name).toEqual([]);
      expect(packet.authorities, name).toEqual([
        {
          type: 'SOA',
          name: 'consul',
          ttl: 0,
          class: 'IN',
          flush: false,
          data: {
            mname: 'ns.consul',
            rname: 'hostmaster.consul',
            serial: nowMs / 1000,
            refresh: 3600,
            retry: 600,
            expire: 86400,
            minimum: 0,
          },
        },
      ]);
    }
  });

  it('answers NOERROR with the SOA for a name without records of the asked type', async () => {
    for (const type of ['AAAA', 'MX', 'TXT'] as const) {
      const { packet } = await askDnsUdp(dns.port, 'web.service.consul', { type });
      expect(packet.rcode, type).toBe('NOERROR');
      expect(packet.answers, type).toEqual([]);
      expect(
        packet.authorities?.map((record) => record.type),
        type,
      ).toEqual(['SOA']);
    }
  });

  it('hides every instance of a node in maintenance', async () => {
    await catalog.setNodeMaintenance(true, 'upgrading');
    expect((await askDnsUdp(dns.port, 'web.service.consul')).packet.rcode).toBe('NXDOMAIN');
    await catalog.setNodeMaintenance(false, '');
    expect((await askDnsUdp(dns.port, 'web.service.consul')).packet.rcode).toBe('NOERROR');
  });

  it('answers a node with its address and its meta as TXT, and an .addr. name with its address', async () => {
    const node = await askDnsUdp(dns.port, 'alpha.node.consul');
    expect(dataOf(node.packet.answers, 'A')).toEqual(['127.0.0.1']);
    expect(dataOf(node.packet.additionals, 'TXT')).toEqual([[Buffer.from('rack=r1')]]);
    const txt = await askDnsUdp(dns.port, 'Alpha.node.dc1.consul', { type: 'TXT' });
    expect(dataOf(txt.packet.answers, 'TXT')).toEqual([[Buffer.from('rack=r1')]]);
    expect((await askDnsUdp(dns.port, 'beta.node.consul')).packet.rcode).toBe('NXDOMAIN');
    const addr = await askDnsUdp(dns.port, 'c000020a.addr.dc1.consul');
    expect(dataOf(addr.packet.answers, 'A')).toEqual(['192.0.2.10']);
  });

  it('answers IPv6 instances with AAAA and .addr. targets, and a host name with a CNAME or itself as target', async () => {
    await catalog.registerService(instance('api-1', { name: 'api', address: '2001:db8::1', port: 7001 }));
    await catalog.registerService(instance('api-2', { name: 'api', address: 'api.example.internal', port: 7002 }));
    const aaaa = await askDnsUdp(dns.port, 'api.service.consul', { type: 'AAAA' });
    expect(recordData(aaaa.packet.answers, 'AAAA')).toEqual(['2001:db8::1']);
    expect(recordData(aaaa.packet.answers, 'CNAME')).toEqual(['api.example.internal']);
    const srv = await askDnsTcp(dns.port, 'api.service.consul', { type: 'SRV' });
    const targets = recordData(srv.packet.answers, 'SRV').map((data) => (data as { target: string }).target);
    expect(targets.sort()).toEqual(['20010db8000000000000000000000001.addr.dc1.consul', 'api.example.internal']);
    expect(srv.packet.additionals?.map((record) => [record.type, record.name])).toEqual([
      ['AAAA', '20010db8000000000000000000000001.addr.dc1.consul'],
    ]);
  });

  it('leaves out an instance whose address no DNS message can carry, and answers a scoped IPv6 address unscoped', async () => {
    const unusable = ['a'.repeat(300), `${'x'.repeat(64)}.example`, 'a b', 'a..b', 'héllo.example', '.'];
    for (const [n, address] of unusable.entries()) {
      await catalog.registerService(instance(`odd-${n}`, { name: 'odd', address, port: 7100 + n }));
    }
    await catalog.registerService(instance('odd-ok', { name: 'odd', address: 'ok.example.internal', port: 7200 }));
    await catalog.registerService(instance('odd-v6', { name: 'odd', address: 'fe80::1%eth0', port: 7201 }));
    // Every answer decodes (a label over 63 bytes made resolvers fail on the whole message), with the usable two.
    for (const ask of [askDnsUdp, askDnsTcp]) {
      const srv = await ask(dns.port, 'odd.service.consul', { type: 'SRV' });
      const targets = recordData(srv.packet.answers, 'SRV').map((data) => (data as { target: string }).target);
      expect(targets.sort()).toEqual(['fe800000000000000000000000000001.addr.dc1.consul', 'ok.example.internal']);
      const a = await ask(dns.port, 'odd.service.consul', { type: 'A' });
      expect(recordData(a.packet.answers, 'CNAME')).toEqual(['ok.example.internal']);
      const aaaa = await ask(dns.port, 'odd.service.consul', { type: 'AAAA' });
      expect(recordData(aaaa.packet.answers, 'AAAA')).toEqual(['fe80::1']);
    }
  });

  it('answers the consul service the catalog registers for itself', async () => {
    const { packet } = await askDnsUdp(dns.port, 'consul.service.consul', { type: 'SRV' });
    expect(dataOf(packet.answers, 'SRV')).toEqual([
      { priority: 1, weight: 1, port: 8300, target: 'alpha.node.dc1.consul' },
    ]);
  });

  it('sends three answers over UDP, more with EDNS0, and all over TCP', async () => {
    for (let n = 4; n <= 9; n += 1) {
      await catalog.registerService(instance(`web-${n}`, { address: `10.0.0.${n}`, port: 9000 + n }));
    }
    const plain = await askDnsUdp(dns.port, 'web.service.consul', { type: 'SRV' });
    expect(plain.packet.answers).toHaveLength(3);
    expect(plain.packet.flag_tc).toBe(false);
    expect(plain.sizeBytes).toBeLessThanOrEqual(512);
    const edns = await askDnsUdp(dns.port, 'web.service.consul', { type: 'SRV', ednsUdpSizeBytes: 4096 });
    expect(edns.packet.answers).toHaveLength(8);
    const tcp = await askDnsTcp(dns.port, 'web.service.consul', { type: 'SRV' });
    expect(tcp.packet.answers).toHaveLength(8);
    expect(events.map((event) => event.transport)).toEqual(['udp', 'udp', 'tcp']);
  });

  it('shuffles the instances on every answer', async () => {
    for (let n = 4; n <= 7; n += 1) {
      await catalog.registerService(instance(`web-${n}`, { address: `10.0.0.${n}` }));
    }
    const firsts = new Set<unknown>();
    for (let n = 0; n < 40; n += 1) {
      const { packet } = await askDnsTcp(dns.port, 'web.service.consul');
      firsts.add(recordData(packet.answers, 'A')[0]);
    }
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('refuses names outside consul.', async () => {
    const { packet } = await askDnsUdp(dns.port, 'example.com');
    expect(packet.rcode).toBe('REFUSED');
    expect(packet.answers).toEqual([]);
  });

  it('refuses every query when anonymous reads are off', async () => {
    await dns.close();
    dns = await start('none');
    expect((await askDnsUdp(dns.port, 'web.service.consul')).packet.rcode).toBe('REFUSED');
    expect((await askDnsTcp(dns.port, 'alpha.node.consul')).packet.rcode).toBe('REFUSED');
  });

  it('answers the zone itself: its SOA, and its name server with its address', async () => {
    const soa = await askDnsUdp(dns.port, 'consul', { type: 'SOA' });
    expect(soa.packet.answers?.map((record) => record.type)).toEqual(['SOA']);
    const ns = await askDnsUdp(dns.port, 'consul', { type: 'NS' });
    expect(dataOf(ns.packet.answers, 'NS')).toEqual(['alpha.node.dc1.consul']);
    expect(dataOf(ns.packet.additionals, 'A')).toEqual(['127.0.0.1']);
  });

  it('names the flag when the address is in use', async () => {
    const taken = {
      host: '127.0.0.1',
      port: dns.port,
      catalog,
      clock,
      logger: silentLogger,
      anonymousRead: 'all' as const,
    };
    await expect(startCatalogDns(taken)).rejects.toThrow(/DNS address 127\.0\.0\.1:\d+ is in use.*--dns/);
  });
});
