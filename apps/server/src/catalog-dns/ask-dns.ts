/**
 * A minimal DNS client for the DNS tests: one question over UDP, or several over one TCP connection, each answer
 * decoded. Every wait has a deadline, so a server that never answers fails the test instead of hanging it.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';

const deadlineMs = 5_000;

export interface DnsQuestionOptions {
  type?: dnsPacket.RecordType;
  /** The UDP size advertised with EDNS0; no OPT record when absent. */
  ednsUdpSizeBytes?: number;
  id?: number;
}

/** A decoded response, with the rcode dns-packet reads but does not declare. */
export type DnsResponse = dnsPacket.DecodedPacket & { rcode: string };

export const decodeDnsResponse = (message: Buffer): DnsResponse => dnsPacket.decode(message) as DnsResponse;

/** The data of the records of one type. */
export const recordData = (records: readonly dnsPacket.Answer[] | undefined, type: string): unknown[] =>
  (records ?? [])
    .filter((record) => record.type === type)
    .map((record) => ('data' in record ? record.data : undefined));

/** A query message for `name`. */
export const dnsQueryOf = (name: string, options: DnsQuestionOptions = {}): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id: options.id ?? 1,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: options.type ?? 'A', class: 'IN' }],
    additionals:
      options.ednsUdpSizeBytes === undefined
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: options.ednsUdpSizeBytes,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  });

/** Sends one raw message over UDP and resolves with the raw response; undefined when none comes within `waitMs`. */
export const sendDnsUdp = (port: number, message: Buffer, waitMs = deadlineMs): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, waitMs);
    socket.once('message', (response) => {
      clearTimeout(timer);
      socket.close();
      resolve(response);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(message, port, '127.0.0.1');
  });

/** Asks one question over UDP. */
export const askDnsUdp = async (port: number, name: string, options: DnsQuestionOptions = {}) => {
  const response = await sendDnsUdp(port, dnsQueryOf(name, options));
  if (response === undefined) throw new Error(`no UDP answer for ${name}`);
  return { packet: decodeDnsResponse(response), sizeBytes: response.length };
};

/** Sends length-prefixed messages on one TCP connection and resolves with `expected` responses, in order. */
export const sendDnsTcp = (port: number, messages: readonly Buffer[], expected = messages.length): Promise<Buffer[]> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const responses: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${responses.length} of ${expected} TCP answers`));
    }, deadlineMs);
    socket.on('connect', () => {
      for (const message of messages) {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(message.length, 0);
        socket.write(Buffer.concat([prefix, message]));
      }
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        responses.push(Buffer.from(pending.subarray(2, 2 + length)));
        pending = pending.subarray(2 + length);
      }
      if (responses.length >= expected) {
        clearTimeout(timer);
        socket.destroy();
        resolve(responses);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(responses);
    });
  });

/** Asks one question over TCP. */
export const askDnsTcp = async (port: number, name: string, options: DnsQuestionOptions = {}) => {
  const [response] = await sendDnsTcp(port, [dnsQueryOf(name, options)]);
  if (response === undefined) throw new Error(`no TCP answer for ${name}`);
  return { packet: decodeDnsResponse(response), sizeBytes: response.length };
};
