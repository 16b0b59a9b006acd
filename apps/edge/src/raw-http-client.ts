/**
 * Test support for the edge router's HTTP/1.1 data path: clients and upstreams on raw TCP sockets, so a test
 * controls every byte sent, and a strict reader of the responses that come back (its own, independent of the
 * router's parser).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Upstream } from '@slipway/contract';

export interface RawResponse {
  readonly statusCode: number;
  /** The head as received, without its final CRLF CRLF. */
  readonly head: string;
  /** Field names lowercased; repeated fields joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The payload: chunked framing decoded, latin1. */
  readonly body: string;
}

/** Why bytes received are not a well-formed sequence of HTTP/1.1 responses. */
export class MalformedResponse extends Error {}

const fieldName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const statusLine = /^HTTP\/1\.1 ([1-5]\d\d) /;

/** No control character but HTAB (CR and LF only end lines). */
function isFieldText(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 32 && code !== 9) || code === 127) return false;
  }
  return true;
}

/**
 * Reads the complete responses at the start of `data`: `methods` are the requests' methods in order (a HEAD response
 * has no body), `isEnded` says the connection has closed (a close-delimited body then ends). Interim (1xx) responses
 * are listed too. Throws `MalformedResponse` on anything that is not well-formed HTTP/1.1, trailing bytes included.
 */
export function readResponses(data: Buffer, methods: readonly string[], isEnded: boolean): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  let finalCount = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd === -1) break;
    const head = data.toString('latin1', at, headEnd);
    const [first = '', ...fields] = head.split('\r\n');
    const status = statusLine.exec(first);
    if (status === null || !isFieldText(first)) throw new MalformedResponse(`bad status line ${JSON.stringify(first)}`);
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(':');
      if (colon === -1 || !fieldName.test(field.slice(0, colon)) || !isFieldText(field))
        throw new MalformedResponse(`bad field line ${JSON.stringify(field)}`);
      const name = field.slice(0, colon).toLowerCase();
      const value = field.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const statusCode = Number(status[1]);
    const bodyStart = headEnd + 4;
    if (statusCode < 200 && statusCode !== 101) {
      responses.push({ statusCode, head, headers, body: '' });
      at = bodyStart;
      continue;
    }
    const method = methods[finalCount] ?? 'GET';
    const isBodiless = method === 'HEAD' || statusCode === 101 || statusCode === 204 || statusCode === 304;
    const body = bodyOf(data, bodyStart, headers, isBodiless);
    if (body === undefined) {
      if (!isEnded) break;
      // Close-delimited: the rest of the input.
      responses.push({ statusCode, head, headers, body: data.toString('latin1', bodyStart) });
      return responses;
    }
    if (body === 'incomplete') break;
    responses.push({ statusCode, head, headers, body: body.text });
    finalCount += 1;
    at = body.end;
    if (statusCode === 101) return responses;
  }
  if (isEnded && at < data.length)
    throw new MalformedResponse(`trailing bytes ${JSON.stringify(data.toString('latin1', at, at + 80))}`);
  return responses;
}

function bodyOf(
  data: Buffer,
  start: number,
  headers: Record<string, string>,
  isBodiless: boolean,
): { text: string; end: number } | 'incomplete' | undefined {
  const encoding = headers['transfer-encoding'];
  const length = headers['content-length'];
  if (encoding !== undefined && length !== undefined)
    throw new MalformedResponse('Content-Length beside Transfer-Encoding');
  if (isBodiless) return { text: '', end: start };
  if (encoding !== undefined) {
    if (encoding.toLowerCase() !== 'chunked') throw new MalformedResponse(`Transfer-Encoding ${encoding}`);
    return dechunk(data, start);
  }
  if (length === undefined) return undefined;
  if (!/^\d+$/.test(length)) throw new MalformedResponse(`Content-Length ${length}`);
  const end = start + Number(length);
  return end > data.length ? 'incomplete' : { text: data.toString('latin1', start, end), end };
}

function dechunk(data: Buffer, start: number): { text: string; end: number } | 'incomplete' {
  let at = start;
  let text = '';
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at, 'latin1');
    if (lineEnd === -1) return 'incomplete';
    const sizeText = data.toString('latin1', at, lineEnd).split(';')[0] ?? '';
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw new MalformedResponse(`chunk size ${JSON.stringify(sizeText)}`);
    const size = Number.parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers, then an empty line.
      for (;;) {
        const trailerEnd = data.indexOf('\r\n', at, 'latin1');
        if (trailerEnd === -1) return 'incomplete';
        const isLast = trailerEnd === at;
        at = trailerEnd + 2;
        if (isLast) return { text, end: at };
      }
    }
    if (at + size + 2 > data.length) return 'incomplete';
    text += data.toString('latin1', at, at + size);
    if (data.toString('latin1', at + size, at + size + 2) !== '\r\n') throw new MalformedResponse('chunk without CRLF');
    at += size + 2;
  }
}

export interface RawHttpClient {
  readonly socket: Socket;
  /** Strings are sent as latin1, byte for byte. */
  send(data: string | Buffer): void;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves once `count` responses (interim ones included) arrived whole, or the router closed the connection. */
  responses(count: number, methods?: readonly string[]): Promise<RawResponse[]>;
  /** Resolves once the router has closed the connection (both ways, or its side after a client half-close). */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
}

export function connectRawClient(port: number): Promise<RawHttpClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let isClosed = false;
    const waiters = new Set<() => void>();
    const wake = (): void => {
      for (const waiter of waiters) waiter();
    };
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolveClosed) => (markClosed = resolveClosed));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      wake();
    });
    const onGone = (): void => {
      isClosed = true;
      markClosed();
      wake();
    };
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.off('error', reject);
      const received = (): Buffer => Buffer.concat(chunks);
      resolve({
        socket,
        send: (data) => {
          if (!socket.destroyed && socket.writable)
            socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
        },
        received,
        closed,
        get isClosed() {
          return isClosed;
        },
        responses: (count, methods = []) =>
          new Promise<RawResponse[]>((resolveResponses, rejectResponses) => {
            const check = (): void => {
              try {
                const responses = readResponses(received(), methods, isClosed);
                if (responses.length < count && !isClosed) return;
                waiters.delete(check);
                resolveResponses(responses);
              } catch (error) {
                waiters.delete(check);
                rejectResponses(error instanceof Error ? error : new Error(String(error)));
              }
            };
            waiters.add(check);
            check();
          }),
      });
    });
    socket.once('error', reject);
  });
}

export interface RawUpstreamConnection {
  readonly socket: Socket;
  /** Every byte received on this connection. */
  received(): string;
  /** Request heads received so far, each without its final CRLF CRLF. */
  readonly heads: string[];
}

export interface RawUpstream {
  readonly port: number;
  readonly server: Server;
  readonly connections: RawUpstreamConnection[];
  asUpstream(): Upstream;
  close(): Promise<void>;
}

/**
 * An upstream on a raw TCP server: `onHead` is called with each complete request head (requests without bodies:
 * a head is whatever ends in CRLF CRLF) and writes whatever bytes the test wants back.
 */
export async function startRawUpstream(
  name: string,
  onHead: (connection: RawUpstreamConnection, head: string) => void,
): Promise<RawUpstream> {
  const connections: RawUpstreamConnection[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let text = '';
    let scanned = 0;
    const connection: RawUpstreamConnection = { socket, received: () => text, heads: [] };
    connections.push(connection);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      for (let end = text.indexOf('\r\n\r\n', scanned); end !== -1; end = text.indexOf('\r\n\r\n', scanned)) {
        const head = text.slice(scanned, end);
        scanned = end + 4;
        connection.heads.push(head);
        onHead(connection, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    connections,
    asUpstream: () => ({ instanceId: name, host: '127.0.0.1', port, releaseNumber: 1, weight: 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
