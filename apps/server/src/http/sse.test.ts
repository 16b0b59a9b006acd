import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseParser } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { installStreamLimit, openSse } from './sse.js';

const eventCount = 50_000;
const payload = 'x'.repeat(1_000);

interface Progress {
  sent: number;
  peakBufferedBytes: number;
  response: ServerResponse | undefined;
}

/** A server with one event stream that sends `eventCount` events and records how much waited in its buffer. */
async function startServer(options: { stallTimeoutMs?: number; logLines?: string[] } = {}): Promise<{
  app: FastifyInstance;
  port: number;
  progress: Progress;
}> {
  const logLines = options.logLines;
  const app = Fastify(
    logLines === undefined
      ? {}
      : { logger: { level: 'warn', stream: { write: (line: string) => logLines.push(line) } } },
  );
  installStreamLimit(app, 4, { stallTimeoutMs: options.stallTimeoutMs });
  const progress: Progress = { sent: 0, peakBufferedBytes: 0, response: undefined };
  app.get('/stream', async (request, reply) => {
    const sse = openSse(request, reply);
    progress.response = reply.raw;
    try {
      for (let index = 0; index < eventCount && !sse.signal.aborted; index += 1) {
        await sse.send({ id: index, event: 'line', data: payload });
        progress.sent += 1;
        progress.peakBufferedBytes = Math.max(progress.peakBufferedBytes, reply.raw.writableLength);
      }
    } finally {
      sse.end();
    }
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0, progress };
}

describe('server-sent events to a client that reads slowly', () => {
  let app: FastifyInstance | undefined;
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.destroy();
    await app?.close();
  });

  it('waits for the socket to drain instead of buffering every event, then delivers them all in order', async () => {
    const server = await startServer();
    app = server.app;
    const client = connect({ host: '127.0.0.1', port: server.port });
    socket = client;
    client.pause();
    client.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

    // The client reads nothing: the sender stops once the socket's buffers are full, far short of all 50 MB.
    await waitFor(() => expect(server.progress.sent).toBeGreaterThan(0));
    await waitFor(() => expect(server.progress.response?.writableNeedDrain).toBe(true), { timeoutMs: 30_000 });
    const sentWhileStalled = server.progress.sent;
    expect(sentWhileStalled).toBeLessThan(eventCount);
    // One write's worth beyond the response's high-water mark waits in slipwayd, never the stream's backlog.
    expect(server.progress.peakBufferedBytes).toBeLessThan(64 * 1024);

    // Once the client reads, every event arrives, in order.
    const parser = createSseParser();
    const ids: number[] = [];
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      for (const event of parser.push(chunk)) ids.push(Number(event.id));
    });
    client.resume();
    await waitFor(() => expect(ids.length).toBe(eventCount), { timeoutMs: 30_000 });
    expect(ids.every((id, index) => id === index)).toBe(true);
    expect(server.progress.peakBufferedBytes).toBeLessThan(64 * 1024);
  });

  it('leaves no listener on the shutdown signal once its clients have gone', async () => {
    const shutdown = new AbortController();
    const server = Fastify();
    app = server;
    installStreamLimit(server, 8);
    let closed = 0;
    server.get('/idle', async (request, reply) => {
      const sse = openSse(request, reply, shutdown.signal);
      sse.signal.addEventListener('abort', () => (closed += 1), { once: true });
      return reply;
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    for (let index = 0; index < 5; index += 1) {
      const client = connect({ host: '127.0.0.1', port });
      client.write('GET /idle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await new Promise((resolve) => client.once('data', resolve));
      client.destroy();
    }
    await waitFor(() => expect(closed).toBe(5));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('disconnects a client that stops reading once the stall timeout passes, and logs how many it has', async () => {
    const logLines: string[] = [];
    const server = await startServer({ stallTimeoutMs: 200, logLines });
    app = server.app;
    const client = connect({ host: '127.0.0.1', port: server.port });
    socket = client;
    let isClosedByServer = false;
    client.on('end', () => (isClosedByServer = true));
    client.on('error', () => (isClosedByServer = true));
    client.pause();
    client.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

    // The client never reads: slipwayd closes its socket, frees its slot, and stops sending.
    await waitFor(() => expect(server.progress.response?.destroyed).toBe(true), { timeoutMs: 30_000 });
    const sentWhenClosed = server.progress.sent;
    client.resume();
    await waitFor(() => expect(isClosedByServer).toBe(true), { timeoutMs: 30_000 });

    expect(server.app.openStreams.stalledDisconnects).toBe(1);
    expect(server.app.openStreams.byClient.size).toBe(0);
    expect(server.progress.sent).toBe(sentWhenClosed);
    expect(sentWhenClosed).toBeLessThan(eventCount);
    const warnings = logLines.map((line) => JSON.parse(line) as { msg: string; stalledDisconnects?: number });
    expect(warnings).toContainEqual(
      expect.objectContaining({ stalledDisconnects: 1, msg: expect.stringContaining('stall timeout') as unknown }),
    );
  });
});
