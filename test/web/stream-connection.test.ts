/**
 * The dashboard's stream connection against a real HTTP server: a stream that goes silent past two heartbeats (as a
 * hung slipwayd or a half-open connection does) is dropped and opened again, resuming from its last event id; one that
 * keeps sending heartbeats stays the one connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { silenceLimitMs, StreamConnection, type LiveState } from '../../apps/web/src/live/stream-connection.js';

interface Opened {
  readonly lastEventId: string | undefined;
  readonly response: ServerResponse;
}

describe('the dashboard’s stream connection', () => {
  const servers: Server[] = [];
  const connections: StreamConnection[] = [];

  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.stop();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** A stream server: every request is recorded and handed to `onOpen`, which writes what it wants. */
  async function streamServer(
    onOpen: (opened: Opened, index: number) => void,
  ): Promise<{ url: string; opened: Opened[] }> {
    const opened: Opened[] = [];
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      const header = request.headers['last-event-id'];
      const entry = { lastEventId: typeof header === 'string' ? header : undefined, response };
      opened.push(entry);
      onOpen(entry, opened.length - 1);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/stream`, opened };
  }

  function connect(url: string): { states: LiveState[]; events: string[] } {
    const states: LiveState[] = [];
    const events: string[] = [];
    const connection = new StreamConnection(
      {
        fetch: (input, init) => fetch(input, init),
        onEvent: (e) => events.push(e.event),
        onState: (s) => states.push(s),
      },
      url,
    );
    connections.push(connection);
    connection.setTopics(['apps:acme'], true, 0);
    return { states, events };
  }

  it('drops a stream silent past two heartbeats and reopens it from its last event id', async () => {
    const { url, opened } = await streamServer(({ response }, index) => {
      response.write(`id: v1;apps:acme=${index + 1}\nevent: ready\ndata: {"heartbeatMs":50}\n\n`);
      // …and nothing more: the server hangs with the connection open.
    });
    const { states, events } = connect(url);
    await waitFor(() => expect(opened.length).toBeGreaterThanOrEqual(3), { timeoutMs: 20_000 });
    expect(opened[0]?.lastEventId).toBeUndefined();
    expect(opened[1]?.lastEventId).toBe('v1;apps:acme=1');
    expect(opened[2]?.lastEventId).toBe('v1;apps:acme=2');
    expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'retrying', 'connecting']);
    expect(events.filter((e) => e === 'ready').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps one connection while heartbeats come, however long that is past the silence limit', async () => {
    const heartbeats = 40;
    let sent = 0;
    const { url, opened } = await streamServer(({ response }, index) => {
      response.write(`event: ready\ndata: {"heartbeatMs":200}\n\n`);
      if (index > 0) return;
      const timer = setInterval(() => {
        response.write(': heartbeat\n\n');
        sent += 1;
        if (sent === heartbeats) clearInterval(timer);
      }, 25);
    });
    const { states } = connect(url);
    // 40 heartbeats 25 ms apart last longer than the 600 ms limit: only the silence after them drops the stream.
    expect(heartbeats * 25).toBeGreaterThan(silenceLimitMs(200));
    await waitFor(() => expect(opened.length).toBe(2), { timeoutMs: 20_000 });
    expect(sent).toBe(heartbeats);
    expect(states.slice(0, 3)).toEqual(['connecting', 'open', 'retrying']);
  });
});
