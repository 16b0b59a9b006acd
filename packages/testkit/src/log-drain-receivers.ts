/**
 * Log drain tests' pieces: a sample line, and real receivers, each on 127.0.0.1 and a port that stays its own across
 * `stop()` and `start()` (a receiver that is down for a while, then back): a syslog server over TCP or TLS that splits
 * octet-counted frames (RFC 6587 §3.4.1), and an HTTP endpoint that keeps each POSTed JSON array.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { DrainedLogLine } from '@slipway/core';

/** A line as the shipper hands it to a sender: app `shop` of project `default`, instance `ins_1`, stdout. */
export function sampleDrainedLine(over: Partial<DrainedLogLine> = {}): DrainedLogLine {
  return {
    id: 42,
    appId: 'app_1',
    app: 'shop',
    project: 'default',
    environment: 'production',
    source: 'app',
    process: 'web',
    instanceId: 'ins_1',
    stream: 'stdout',
    line: 'GET / 200',
    atMs: Date.UTC(2026, 11, 7, 8, 30, 0, 123),
    ...over,
  };
}

export interface DrainReceiver<T> {
  /** `syslog://…`, `syslog+tls://…` or `http://…`, with the port. */
  readonly url: string;
  readonly port: number;
  /** What arrived, in order. */
  readonly received: T[];
  /** Stops listening and cuts open connections (the drain finds it down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** Frames larger than this end the connection: a receiver's bound. */
const maxFrameBytes = 1024 * 1024;

/** Splits octet-counted frames off the front of `buffer`; returns the frames and what is left. */
export function splitOctetCountedFrames(buffer: Buffer): { frames: string[]; rest: Buffer } {
  const frames: string[] = [];
  let rest = buffer;
  for (;;) {
    const space = rest.indexOf(0x20);
    if (space <= 0) return { frames, rest };
    const length = Number(rest.subarray(0, space).toString('ascii'));
    if (!Number.isInteger(length) || length < 0 || length > maxFrameBytes) throw new Error('not an octet count');
    if (rest.length < space + 1 + length) return { frames, rest };
    frames.push(rest.subarray(space + 1, space + 1 + length).toString('utf8'));
    rest = rest.subarray(space + 1 + length);
  }
}

async function listenOn(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function managed<T>(scheme: string, make: () => Server, received: T[]): Promise<DrainReceiver<T>> {
  let server = make();
  const sockets = new Set<Socket>();
  const track = (s: Server): void => {
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  };
  track(server);
  const port = await listenOn(server, 0);
  return {
    url: `${scheme}//127.0.0.1:${port}`,
    port,
    received,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      server = make();
      track(server);
      await listenOn(server, port);
    },
  };
}

/** A syslog receiver; `tls` makes it `syslog+tls://` with that certificate and key. */
export async function startSyslogReceiver(
  options: { tls?: { cert: string; key: string } } = {},
): Promise<DrainReceiver<string>> {
  const received: string[] = [];
  const onSocket = (socket: Socket): void => {
    let buffer: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      try {
        const split = splitOctetCountedFrames(Buffer.concat([buffer, chunk]));
        received.push(...split.frames);
        buffer = split.rest;
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
  };
  const tls = options.tls;
  const make = (): Server =>
    tls === undefined ? createTcpServer(onSocket) : createTlsServer({ cert: tls.cert, key: tls.key }, onSocket);
  return managed(tls === undefined ? 'syslog:' : 'syslog+tls:', make, received);
}

export interface ReceivedDrainBatch {
  path: string;
  headers: IncomingHttpHeaders;
  /** The POSTed JSON array. */
  lines: Record<string, unknown>[];
}

/** An HTTP drain endpoint; it answers each POST with the next of `statuses` (200 once used up). */
export async function startHttpDrainReceiver(): Promise<DrainReceiver<ReceivedDrainBatch> & { statuses: number[] }> {
  const received: ReceivedDrainBatch[] = [];
  const statuses: number[] = [];
  const make = (): Server =>
    createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const status = statuses.shift() ?? 200;
        if (status >= 200 && status < 300) {
          received.push({
            path: request.url ?? '',
            headers: request.headers,
            lines: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[],
          });
        }
        response.statusCode = status;
        response.end();
      });
    });
  return Object.assign(await managed('http:', make, received), { statuses });
}
