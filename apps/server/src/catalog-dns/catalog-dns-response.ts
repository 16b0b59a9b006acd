/**
 * Encodes a catalog DNS answer for its transport, trimmed as Consul trims (agent/dns.go, `trimUDPResponse`): over UDP
 * at most `udp_answer_limit` answers when the client allows 512 bytes, and never more bytes than it allows (512, or
 * its EDNS0 size); over TCP untrimmed up to the 64 KiB a TCP message can hold. Additional records follow the answers
 * they serve. The question is echoed byte for byte, as sent.
 */
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import type { CatalogDnsAnswer } from './catalog-dns-answer.js';
import { dnsHeaderBytes, type DnsQuery, type DnsQueryRejection } from './dns-query.js';

/** The UDP size every client accepts (RFC 1035 §4.2.1). */
export const defaultUdpSizeBytes = 512;
/** The most a UDP datagram carries over IPv4 (65,535 − 8 − 20). */
const maxUdpSizeBytes = 65_507;
/** A TCP message's length prefix is 16 bits (RFC 1035 §4.2.2). */
export const maxTcpMessageBytes = 65_535;

const flagAuthoritative = 0x0400;
const flagTruncated = 0x0200;
const flagRecursionDesired = 0x0100;
const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type DnsRcode = keyof typeof rcodes;

export interface DnsResponseLimits {
  transport: 'udp' | 'tcp';
  /** UDP answers at most when the client allows only 512 bytes (Consul's `udp_answer_limit`: 3, at most 8). */
  udpAnswerLimit: number;
  /** Set the TC bit on a UDP answer that was trimmed (Consul's `enable_truncate`, off by default). */
  isTruncationFlagged: boolean;
}

export interface EncodedDnsResponse {
  message: Buffer;
  rcode: DnsRcode;
  /** Answers left out to fit the transport. */
  trimmedAnswerCount: number;
}

const flagsOf = (opcode: number, isRecursionDesired: boolean, rcode: DnsRcode) =>
  (opcode << 11) | (isRecursionDesired ? flagRecursionDesired : 0) | rcodes[rcode];

/** The message with the question's raw bytes after the header and the question count set to one. */
const withQuestion = (encoded: Buffer, questionBytes: Buffer | undefined): Buffer => {
  if (questionBytes === undefined) return encoded;
  const message = Buffer.concat([encoded.subarray(0, dnsHeaderBytes), questionBytes, encoded.subarray(dnsHeaderBytes)]);
  message.writeUInt16BE(1, 4);
  return message;
};

/** The response to a message that is not a well-formed QUERY: its header and, when readable, its question. */
export const encodeDnsRejection = (rejection: DnsQueryRejection): EncodedDnsResponse => {
  const encoded = dnsPacket.encode({
    type: 'response',
    id: rejection.id,
    flags: flagsOf(rejection.opcode, rejection.isRecursionDesired, rejection.rcode),
    questions: [],
  });
  return { message: withQuestion(encoded, rejection.questionBytes), rcode: rejection.rcode, trimmedAnswerCount: 0 };
};

/** Additional records that serve the kept answers: named by an answer or by the target of one (SRV, NS). */
const extrasFor = (answers: readonly Answer[], additionals: readonly Answer[]): Answer[] => {
  const names = new Set<string>();
  for (const answer of answers) {
    names.add(answer.name.toLowerCase());
    if (answer.type === 'SRV') names.add(answer.data.target.toLowerCase());
    if (answer.type === 'NS') names.add(answer.data.toLowerCase());
  }
  return additionals.filter((record) => names.has(record.name.toLowerCase()));
};

/** Encodes `answer` to `query` within the limits of its transport. */
export const encodeDnsAnswer = (
  query: DnsQuery,
  answer: CatalogDnsAnswer,
  limits: DnsResponseLimits,
): EncodedDnsResponse => {
  const options: Answer[] =
    query.ednsUdpSizeBytes === undefined
      ? []
      : [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: Math.max(query.ednsUdpSizeBytes, defaultUdpSizeBytes),
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  const packetWith = (answers: Answer[], isTruncated: boolean, withExtras = true): dnsPacket.Packet => ({
    type: 'response',
    id: query.id,
    flags:
      flagsOf(query.opcode, query.isRecursionDesired, answer.rcode) |
      flagAuthoritative |
      (isTruncated ? flagTruncated : 0),
    questions: [],
    answers,
    authorities: answer.authorities,
    additionals: [...(withExtras ? extrasFor(answers, answer.additionals) : []), ...options],
  });
  const sizeOf = (count: number, withExtras = true) =>
    dnsPacket.encodingLength(packetWith(answer.answers.slice(0, count), false, withExtras)) +
    query.questionBytes.length;

  const maxBytes =
    limits.transport === 'tcp'
      ? maxTcpMessageBytes
      : Math.min(Math.max(query.ednsUdpSizeBytes ?? defaultUdpSizeBytes, defaultUdpSizeBytes), maxUdpSizeBytes);
  let count = answer.answers.length;
  if (limits.transport === 'udp' && maxBytes === defaultUdpSizeBytes) count = Math.min(count, limits.udpAnswerLimit);
  if (count > 1 && sizeOf(count) > maxBytes) {
    // The most answers that fit: one is always sent, even alone over the limit (Consul does the same).
    let fits = 1;
    let over = count;
    while (over - fits > 1) {
      const middle = Math.floor((fits + over) / 2);
      if (sizeOf(middle) <= maxBytes) fits = middle;
      else over = middle;
    }
    count = fits;
  }
  const withExtras = sizeOf(count) <= maxBytes || sizeOf(count, false) > maxBytes;
  const trimmedAnswerCount = answer.answers.length - count;
  const isTruncated = limits.transport === 'udp' && limits.isTruncationFlagged && trimmedAnswerCount > 0;
  const encoded = dnsPacket.encode(packetWith(answer.answers.slice(0, count), isTruncated, withExtras));
  return { message: withQuestion(encoded, query.questionBytes), rcode: answer.rcode, trimmedAnswerCount };
};
