/**
 * Reads one DNS query off the wire (RFC 1035 §4.1) into what the catalog's DNS answers from: the header fields a
 * response echoes, the single question with its raw bytes (echoed as sent, case kept), and the EDNS0 payload size.
 * What is not a query at all is dropped; a malformed query is a FORMERR, an opcode other than QUERY a NOTIMP.
 */
import * as dnsPacket from 'dns-packet';

/** The fixed DNS header (RFC 1035 §4.1.1). */
export const dnsHeaderBytes = 12;
/** The longest name on the wire, length octets included (RFC 1035 §2.3.4). */
const maxNameBytes = 255;
const maxLabelBytes = 63;

export interface DnsQuery {
  id: number;
  /** The header's opcode (0: QUERY). */
  opcode: number;
  isRecursionDesired: boolean;
  /** The question's labels as sent (case kept), root excluded. */
  labels: string[];
  /** False when a label holds a byte no catalog name can hold (a dot, a space, a control or non-ASCII byte). */
  hasPlainLabels: boolean;
  /** The question's type and class codes. */
  type: number;
  class: number;
  /** The question section exactly as sent (name, type, class), echoed in the response. */
  questionBytes: Buffer;
  /** The UDP payload size the client advertises with EDNS0 (RFC 6891 §6.2.3); undefined without an OPT record. */
  ednsUdpSizeBytes: number | undefined;
}

/** Why a message gets an error rcode instead of an answer: what a response to it still echoes. */
export interface DnsQueryRejection {
  id: number;
  opcode: number;
  isRecursionDesired: boolean;
  rcode: 'FORMERR' | 'NOTIMP';
  /** The question, when it could be read (echoed back, as resolvers match responses on it). */
  questionBytes: Buffer | undefined;
}

export type DnsQueryReading =
  | { kind: 'query'; query: DnsQuery }
  | { kind: 'rejected'; rejection: DnsQueryRejection }
  /** Too short to hold a header, or a response: nothing is sent back (a reply could be used to amplify). */
  | { kind: 'dropped' };

const plainLabel = /^[\x21-\x2d\x2f-\x7e]+$/;

/** Reads the question's name at `offset`; undefined when malformed (bad lengths, compression, over-long). */
const readQuestionName = (message: Buffer, offset: number): { labels: string[]; end: number } | undefined => {
  const labels: string[] = [];
  let at = offset;
  let nameBytes = 1;
  for (;;) {
    const length = message[at];
    if (length === undefined) return undefined;
    at += 1;
    if (length === 0) return { labels, end: at };
    // A question's name is the first name of the message: a compression pointer could only point into the header.
    if (length > maxLabelBytes) return undefined;
    nameBytes += length + 1;
    if (nameBytes > maxNameBytes || at + length > message.length) return undefined;
    labels.push(message.toString('latin1', at, at + length));
    at += length;
  }
};

/** Reads a UDP datagram's or a TCP frame's message. */
export const readDnsQuery = (message: Buffer): DnsQueryReading => {
  if (message.length < dnsHeaderBytes) return { kind: 'dropped' };
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  if ((flags & 0x8000) !== 0) return { kind: 'dropped' };
  const opcode = (flags >> 11) & 0xf;
  const isRecursionDesired = (flags & 0x0100) !== 0;
  const questionCount = message.readUInt16BE(4);
  const reject = (rcode: DnsQueryRejection['rcode'], questionBytes?: Buffer): DnsQueryReading => ({
    kind: 'rejected',
    rejection: { id, opcode, isRecursionDesired, rcode, questionBytes },
  });
  if (opcode !== 0) return reject('NOTIMP');
  if (questionCount !== 1) return reject('FORMERR');
  const name = readQuestionName(message, dnsHeaderBytes);
  if (name === undefined || name.end + 4 > message.length) return reject('FORMERR');
  const questionBytes = Buffer.from(message.subarray(dnsHeaderBytes, name.end + 4));
  let decoded: dnsPacket.DecodedPacket;
  try {
    decoded = dnsPacket.decode(message);
  } catch {
    return reject('FORMERR', questionBytes);
  }
  // A query carries no answers; at most one OPT record (RFC 6891 §6.1.1).
  const options = (decoded.additionals ?? []).filter((record) => record.type === 'OPT');
  if ((decoded.answers ?? []).length > 0 || options.length > 1) return reject('FORMERR', questionBytes);
  const option = options[0];
  return {
    kind: 'query',
    query: {
      id,
      opcode,
      isRecursionDesired,
      labels: name.labels,
      hasPlainLabels: name.labels.every((label) => plainLabel.test(label)),
      type: message.readUInt16BE(name.end),
      class: message.readUInt16BE(name.end + 2),
      questionBytes,
      ednsUdpSizeBytes: option === undefined ? undefined : option.udpPayloadSize,
    },
  };
};
