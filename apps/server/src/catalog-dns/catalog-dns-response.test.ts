import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { CatalogDnsAnswer } from './catalog-dns-answer.js';
import { srvRecord } from './catalog-dns-records.js';
import { encodeDnsAnswer, type DnsResponseLimits } from './catalog-dns-response.js';
import { readDnsQuery, type DnsQuery } from './dns-query.js';

const queryOf = (name: string, type: dnsPacket.RecordType, ednsUdpSizeBytes?: number): DnsQuery => {
  const message = dnsPacket.encode({
    type: 'query',
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals:
      ednsUdpSizeBytes === undefined
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: ednsUdpSizeBytes,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  });
  const reading = readDnsQuery(message);
  if (reading.kind !== 'query') throw new Error(`not a query: ${reading.kind}`);
  return reading.query;
};

const aRecord = (name: string, address: string): Answer => ({ type: 'A', name, ttl: 0, class: 'IN', data: address });

/** n SRV answers, each with its target's A record in Additional. */
const srvAnswer = (name: string, count: number): CatalogDnsAnswer => {
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  for (let n = 0; n < count; n += 1) {
    const target = `0a0000${n.toString(16).padStart(2, '0')}.addr.dc1.consul`;
    answers.push(srvRecord(name, target, 8000 + n, 1));
    additionals.push(aRecord(target, `10.0.0.${n}`));
  }
  return { rcode: 'NOERROR', answers, authorities: [], additionals };
};

const udp: DnsResponseLimits = { transport: 'udp', udpAnswerLimit: 3, isTruncationFlagged: false };
const tcp: DnsResponseLimits = { transport: 'tcp', udpAnswerLimit: 3, isTruncationFlagged: false };

const decoded = (message: Buffer) => dnsPacket.decode(message);

describe('catalog DNS responses', () => {
  it('echoes the id, the question as asked and RD, and answers authoritatively', () => {
    const query = queryOf('Web.Service.consul', 'SRV');
    const response = decoded(encodeDnsAnswer(query, srvAnswer('Web.Service.consul', 1), udp).message);
    expect(response.id).toBe(4242);
    expect(response.flag_qr).toBe(true);
    expect(response.flag_aa).toBe(true);
    expect(response.flag_rd).toBe(true);
    expect(response.flag_tc).toBe(false);
    expect(response.questions).toEqual([{ name: 'Web.Service.consul', type: 'SRV', class: 'IN' }]);
    expect(response.answers).toHaveLength(1);
    expect(response.additionals).toHaveLength(1);
  });

  it('sends at most three answers over UDP without EDNS0, with only their additional records', () => {
    const query = queryOf('web.service.consul', 'SRV');
    const encoded = encodeDnsAnswer(query, srvAnswer('web.service.consul', 6), udp);
    const response = decoded(encoded.message);
    expect(response.answers).toHaveLength(3);
    expect(encoded.trimmedAnswerCount).toBe(3);
    const targets = (response.answers ?? []).map((answer) => (answer.type === 'SRV' ? answer.data.target : ''));
    expect((response.additionals ?? []).map((record) => record.name).sort()).toEqual(targets.sort());
  });

  it('stays within 512 bytes over UDP without EDNS0, even under a larger answer limit', () => {
    const query = queryOf('web.service.consul', 'SRV');
    const limits = { ...udp, udpAnswerLimit: 8 };
    const encoded = encodeDnsAnswer(query, srvAnswer('web.service.consul', 8), limits);
    expect(encoded.message.length).toBeLessThanOrEqual(512);
    expect(decoded(encoded.message).answers?.length).toBeLessThan(8);
    expect(encoded.trimmedAnswerCount).toBeGreaterThan(0);
  });

  it('trims to the size a client advertises with EDNS0, not to the answer limit', () => {
    const query = queryOf('web.service.consul', 'SRV', 1232);
    const encoded = encodeDnsAnswer(query, srvAnswer('web.service.consul', 40), udp);
    const response = decoded(encoded.message);
    expect(encoded.message.length).toBeLessThanOrEqual(1232);
    expect(response.answers?.length).toBeGreaterThan(3);
    expect(response.answers?.length).toBeLessThan(40);
    expect(response.additionals?.filter((record) => record.type === 'OPT')).toHaveLength(1);
    // One more answer would not have fitted.
    const more = encodeDnsAnswer(query, srvAnswer('web.service.consul', (response.answers?.length ?? 0) + 1), {
      ...udp,
      udpAnswerLimit: 8,
    });
    expect(more.trimmedAnswerCount).toBe(1);
  });

  it('sets TC on a trimmed UDP answer only when asked to', () => {
    const query = queryOf('web.service.consul', 'SRV');
    const flagged = { ...udp, isTruncationFlagged: true };
    expect(decoded(encodeDnsAnswer(query, srvAnswer('web.service.consul', 5), flagged).message).flag_tc).toBe(true);
    expect(decoded(encodeDnsAnswer(query, srvAnswer('web.service.consul', 2), flagged).message).flag_tc).toBe(false);
  });

  it('sends every answer over TCP, up to the 64 KiB a TCP message holds', () => {
    const query = queryOf('web.service.consul', 'SRV');
    const all = encodeDnsAnswer(query, srvAnswer('web.service.consul', 200), tcp);
    expect(decoded(all.message).answers).toHaveLength(200);
    expect(all.trimmedAnswerCount).toBe(0);
    const huge = encodeDnsAnswer(query, srvAnswer('web.service.consul', 2000), tcp);
    expect(huge.message.length).toBeLessThanOrEqual(65_535);
    expect(huge.trimmedAnswerCount).toBeGreaterThan(0);
  });
});
