import { describe, expect, it } from 'vitest';
import { dnsQueryOf } from './ask-dns.js';
import { readDnsQuery } from './dns-query.js';

/** A header: id 0x1234, the given flags and counts. */
const header = (flags: number, counts: [number, number, number, number]) => {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt16BE(0x1234, 0);
  bytes.writeUInt16BE(flags, 2);
  counts.forEach((count, at) => bytes.writeUInt16BE(count, 4 + 2 * at));
  return bytes;
};
const question = (...labels: Buffer[]) =>
  Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), label])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);

describe('reading a DNS query off the wire', () => {
  it('reads the id, the question as sent and the EDNS0 size', () => {
    const reading = readDnsQuery(dnsQueryOf('Web.Service.consul', { type: 'SRV', ednsUdpSizeBytes: 1232, id: 77 }));
    expect(reading).toMatchObject({
      kind: 'query',
      query: { id: 77, opcode: 0, labels: ['Web', 'Service', 'consul'], type: 33, class: 1, ednsUdpSizeBytes: 1232 },
    });
    const plain = readDnsQuery(dnsQueryOf('web.service.consul'));
    expect(plain).toMatchObject({ kind: 'query', query: { ednsUdpSizeBytes: undefined, hasPlainLabels: true } });
  });

  it('drops what is shorter than a header and what is a response', () => {
    expect(readDnsQuery(Buffer.from([1, 2, 3]))).toEqual({ kind: 'dropped' });
    expect(readDnsQuery(Buffer.concat([header(0x8000, [1, 0, 0, 0]), question(Buffer.from('consul'))]))).toEqual({
      kind: 'dropped',
    });
  });

  it('answers NOTIMP to an opcode other than QUERY', () => {
    const status = Buffer.concat([header(2 << 11, [1, 0, 0, 0]), question(Buffer.from('consul'))]);
    expect(readDnsQuery(status)).toMatchObject({
      kind: 'rejected',
      rejection: { id: 0x1234, rcode: 'NOTIMP', opcode: 2 },
    });
  });

  it('answers FORMERR to a malformed query, echoing the question when it could be read', () => {
    const consul = question(Buffer.from('consul'));
    const cases: [string, Buffer, boolean][] = [
      ['no question', header(0, [0, 0, 0, 0]), false],
      ['two questions', Buffer.concat([header(0, [2, 0, 0, 0]), consul, consul]), false],
      ['a truncated question', Buffer.concat([header(0, [1, 0, 0, 0]), consul.subarray(0, 5)]), false],
      ['no type and class', Buffer.concat([header(0, [1, 0, 0, 0]), consul.subarray(0, 8)]), false],
      ['a label over 63 bytes', Buffer.concat([header(0, [1, 0, 0, 0]), question(Buffer.alloc(64, 0x61))]), false],
      ['a compression pointer', Buffer.concat([header(0, [1, 0, 0, 0]), Buffer.from([0xc0, 0, 0, 1, 0, 1])]), false],
      [
        'a name over 255 bytes',
        Buffer.concat([header(0, [1, 0, 0, 0]), question(...Array.from({ length: 5 }, () => Buffer.alloc(60, 0x61)))]),
        false,
      ],
      ['an announced record missing', Buffer.concat([header(0, [1, 0, 0, 1]), consul]), true],
    ];
    for (const [what, message, isQuestionEchoed] of cases) {
      const reading = readDnsQuery(message);
      expect(reading, what).toMatchObject({ kind: 'rejected', rejection: { id: 0x1234, rcode: 'FORMERR' } });
      if (reading.kind === 'rejected')
        expect(reading.rejection.questionBytes !== undefined, what).toBe(isQuestionEchoed);
    }
  });

  it('marks a label holding a dot or a byte no catalog name holds', () => {
    const dotted = Buffer.concat([header(0, [1, 0, 0, 0]), question(Buffer.from('a.b'), Buffer.from('consul'))]);
    expect(readDnsQuery(dotted)).toMatchObject({ kind: 'query', query: { hasPlainLabels: false } });
    const binary = Buffer.concat([header(0, [1, 0, 0, 0]), question(Buffer.from([0xff, 0x00]), Buffer.from('consul'))]);
    expect(readDnsQuery(binary)).toMatchObject({ kind: 'query', query: { hasPlainLabels: false } });
  });
});
