import { connect } from 'node:net';
import { createCatalog, type CatalogEngine, type Clock } from '@slipway/core';
import { createMemoryCatalogStore, silentLogger, waitFor } from '@slipway/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeDnsResponse, dnsQueryOf, sendDnsTcp, sendDnsUdp } from './ask-dns.js';
import { startCatalogDns, type CatalogDnsServer } from './start-catalog-dns.js';

const clock: Clock = { nowMs: () => Date.UTC(2026, 11, 6), sleep: () => new Promise(() => undefined) };

/** Opens a TCP connection and resolves once it is connected, with a promise of its close. */
const open = (port: number) =>
  new Promise<{ closed: Promise<void>; socket: ReturnType<typeof connect> }>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const closed = new Promise<void>((resolveClosed) => socket.on('close', () => resolveClosed()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ closed, socket }));
    socket.once('error', reject);
  });

describe('catalog DNS: bounds and bad input on the wire', () => {
  let catalog: CatalogEngine;
  let dns: CatalogDnsServer;

  beforeEach(async () => {
    catalog = await createCatalog({
      store: createMemoryCatalogStore(),
      clock,
      logger: silentLogger,
      datacenter: 'dc1',
      node: { name: 'alpha', address: '127.0.0.1' },
    });
    dns = await startCatalogDns({
      host: '127.0.0.1',
      port: 0,
      catalog,
      clock,
      logger: silentLogger,
      anonymousRead: 'health',
      tcpLimits: { maxMessageBytes: 512, idleTimeoutMs: 300, maxConnections: 2 },
    });
  });

  afterEach(async () => {
    await dns.close();
    await catalog.close();
  });

  it('answers queries sent back to back on one TCP connection, in order', async () => {
    const names = ['alpha.node.consul', 'nope.service.consul', 'example.org', 'consul.service.consul'];
    const responses = await sendDnsTcp(
      dns.port,
      names.map((name, at) => dnsQueryOf(name, { id: 100 + at })),
    );
    expect(responses.map((response) => decodeDnsResponse(response)).map((packet) => [packet.id, packet.rcode])).toEqual(
      [
        [100, 'NOERROR'],
        [101, 'NXDOMAIN'],
        [102, 'REFUSED'],
        [103, 'NOERROR'],
      ],
    );
  });

  it('answers FORMERR to a malformed query and NOTIMP to a zone transfer, on both transports', async () => {
    const malformed = Buffer.concat([dnsQueryOf('consul').subarray(0, 12), Buffer.from([6, 0x63, 0x6f])]);
    const udp = await sendDnsUdp(dns.port, malformed);
    expect(udp === undefined ? undefined : decodeDnsResponse(udp).rcode).toBe('FORMERR');
    const [tcp] = await sendDnsTcp(dns.port, [malformed, dnsQueryOf('consul', { type: 'AXFR', id: 9 })], 2).then(
      (responses) => [responses.map((response) => decodeDnsResponse(response))],
    );
    expect(tcp?.map((packet) => [packet.id, packet.rcode])).toEqual([
      [1, 'FORMERR'],
      [9, 'NOTIMP'],
    ]);
  });

  it('sends nothing back to a message shorter than a header', async () => {
    expect(await sendDnsUdp(dns.port, Buffer.from([1, 2, 3]), 300)).toBeUndefined();
    // The server still answers afterwards.
    expect(await sendDnsUdp(dns.port, dnsQueryOf('consul', { type: 'SOA' }))).toBeDefined();
  });

  it('closes a TCP connection announcing a message over the limit', async () => {
    const { socket, closed } = await open(dns.port);
    socket.write(Buffer.from([0x10, 0x00]));
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('closes an idle TCP connection', async () => {
    const { closed } = await open(dns.port);
    await closed;
  });

  it('closes TCP connections past the limit, and serves again once one ends', async () => {
    const first = await open(dns.port);
    const second = await open(dns.port);
    const third = await open(dns.port);
    await third.closed;
    first.socket.destroy();
    second.socket.destroy();
    await Promise.all([first.closed, second.closed]);
    await waitFor(async () => {
      expect(await sendDnsTcp(dns.port, [dnsQueryOf('consul', { type: 'SOA' })])).toHaveLength(1);
    });
  });

  it('closes every TCP connection and both listeners on close', async () => {
    const { closed } = await open(dns.port);
    await dns.close();
    await closed;
    expect(await sendDnsUdp(dns.port, dnsQueryOf('consul'), 300)).toBeUndefined();
    await dns.close();
  });
});
