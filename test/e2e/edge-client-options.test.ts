/**
 * slipwayd's options for how its edge treats clients, proven through a real slipwayd and the edge it starts: a
 * trusted proxy's X-Forwarded-For is kept and appended to, and one address gets no more connections than its cap.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

/** Answers every path with the forwarding headers it got, as JSON. */
const echoServer = `const http = require('node:http');
http
  .createServer((req, res) => {
    const body = JSON.stringify({ xff: req.headers['x-forwarded-for'] ?? null });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  })
  .listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

const perAddressCap = 3;

/** Opens a connection, sends one keep-alive request, resolves with the status and body; the socket stays open. */
function ask(port: number, extraHeaders = ''): Promise<{ socket: Socket; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer from the edge')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd))?.[1] ?? 0);
      if (text.length < headEnd + 4 + length) return;
      socket.setTimeout(0);
      resolve({ socket, status: Number(text.slice(9, 12)), body: text.slice(headEnd + 4, headEnd + 4 + length) });
    });
    socket.write(`GET / HTTP/1.1\r\nHost: echo.localhost\r\n${extraHeaders}\r\n`);
  });
}

describe('slipwayd with edge client options', () => {
  let slipwayd: SlipwaydHarness;
  let appDir: string;

  beforeAll(async () => {
    appDir = await mkdtemp(join(tmpdir(), 'slipway-edge-client-'));
    await cp(join(fixturesDir, 'hello-node'), appDir, { recursive: true });
    await writeFile(join(appDir, 'server.js'), echoServer);
    await writeFile(join(appDir, 'slipway.yaml'), 'processes:\n  web:\n    healthCheck: { type: tcp }\n');
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({
      args: ['--edge-trusted-proxy', '127.0.0.1', '--edge-max-connections-per-address', String(perAddressCap)],
    });
    await slipwayd.api.apps.create({ name: 'echo' });
    const { deployment } = await slipwayd.api.deployments.create('echo', { path: appDir });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('echo.localhost')).status).toBe(200));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(appDir, { recursive: true, force: true });
  });

  it('keeps the X-Forwarded-For of a trusted proxy and appends the peer to it', async () => {
    const { socket, status, body } = await ask(slipwayd.edgePort, 'X-Forwarded-For: 203.0.113.9\r\n');
    socket.destroy();
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ xff: '203.0.113.9, 127.0.0.1' });
  });

  it('refuses connections over the per-address cap with 429', async () => {
    // A connection of an earlier request may not have been released yet: a batch is retried until it starts clean.
    await waitFor(async () => {
      const sockets: Socket[] = [];
      const statuses: number[] = [];
      try {
        for (let i = 0; i < perAddressCap + 2; i += 1) {
          const answer = await ask(slipwayd.edgePort);
          sockets.push(answer.socket);
          statuses.push(answer.status);
        }
      } finally {
        for (const socket of sockets) socket.destroy();
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    });
  });
});
