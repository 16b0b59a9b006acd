/**
 * Reads the server name (SNI) and the ALPN protocols of a TLS ClientHello (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301
 * §3.1) from the first record a client sends, before any TLS library sees it: a TLS-ALPN-01 validation (RFC 8737)
 * must get its own certificate, and the certificate is chosen before ALPN is negotiated. Bounded: one record.
 */
import type { Socket } from 'node:net';

export interface ClientHelloInfo {
  readonly servername: string | undefined;
  readonly alpnProtocols: readonly string[];
}

/** A TLS record header and the largest record payload (RFC 8446 §5.1). */
const recordHeaderBytes = 5;
const maxRecordBytes = 16_384;

/** SNI and ALPN of the ClientHello in `record`; undefined when it is not one, or not whole in this record. */
export function parseClientHello(record: Buffer): ClientHelloInfo | undefined {
  if (record.length < recordHeaderBytes || record[0] !== 0x16) return undefined;
  const end = Math.min(record.length, recordHeaderBytes + record.readUInt16BE(3));
  let at = recordHeaderBytes;
  // Handshake header: type 1 (ClientHello) and a 3-byte length; then version (2) and random (32).
  if (end < at + 4 + 34 || record[at] !== 0x01) return undefined;
  at += 4 + 34;
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > end) return false;
    const length = lengthBytes === 1 ? (record[at] ?? 0) : record.readUInt16BE(at);
    at += lengthBytes + length;
    return at <= end;
  };
  // Session id, cipher suites, compression methods.
  if (!skip(1) || !skip(2) || !skip(1)) return undefined;
  if (at + 2 > end) return { servername: undefined, alpnProtocols: [] };
  const extensionsEnd = Math.min(end, at + 2 + record.readUInt16BE(at));
  at += 2;
  let servername: string | undefined;
  const alpnProtocols: string[] = [];
  while (at + 4 <= extensionsEnd) {
    const type = record.readUInt16BE(at);
    const length = record.readUInt16BE(at + 2);
    const dataAt = at + 4;
    at = dataAt + length;
    if (at > extensionsEnd) return undefined;
    if (type === 0 && length >= 5 && record[dataAt + 2] === 0) {
      const nameLength = record.readUInt16BE(dataAt + 3);
      if (dataAt + 5 + nameLength <= at) servername = record.toString('latin1', dataAt + 5, dataAt + 5 + nameLength);
    } else if (type === 16 && length >= 2) {
      let p = dataAt + 2;
      while (p < at) {
        const protocolLength = record[p] ?? 0;
        if (p + 1 + protocolLength > at) break;
        alpnProtocols.push(record.toString('latin1', p + 1, p + 1 + protocolLength));
        p += 1 + protocolLength;
      }
    }
  }
  return { servername, alpnProtocols };
}

/**
 * Reads the first TLS record from `socket` (within `timeoutMs`), then puts the bytes back so a TLS socket wrapping it
 * reads them as if nothing had happened. Resolves with what the ClientHello says (undefined when it is none); the
 * socket is left paused.
 */
export function peekClientHello(socket: Socket, timeoutMs: number): Promise<ClientHelloInfo | undefined> {
  return new Promise((resolve) => {
    let received: Buffer = Buffer.alloc(0);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', done);
      socket.off('close', done);
      socket.pause();
      if (received.length > 0) socket.unshift(received);
      resolve(parseClientHello(received));
    };
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const wantedBytes =
        received.length < recordHeaderBytes
          ? recordHeaderBytes
          : recordHeaderBytes + Math.min(maxRecordBytes, received.readUInt16BE(3));
      if (received.length >= wantedBytes) done();
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', onData);
    socket.once('end', done);
    socket.once('close', done);
  });
}
