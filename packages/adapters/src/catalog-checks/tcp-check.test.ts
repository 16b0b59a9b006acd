import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { RunnableCheckDefinition } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogCheckRunner } from './catalog-check-runner.js';

const runner = createCatalogCheckRunner();
let server: Server;
let port: number;
let accepted = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const tcp = (address: string): RunnableCheckDefinition => ({
  type: 'tcp',
  address,
  intervalMs: 10_000,
  timeoutMs: 2_000,
});

describe('TCP catalog check', () => {
  it('is passing once a connection is accepted', async () => {
    const before = accepted;
    await expect(runner.run(tcp(`127.0.0.1:${port}`))).resolves.toEqual({
      status: 'passing',
      output: `TCP connect 127.0.0.1:${port}: Success`,
    });
    await expect.poll(() => accepted).toBe(before + 1);
  });

  it('is critical when the connection is refused', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(runner.run(tcp(`127.0.0.1:${closedPort}`))).resolves.toEqual({
      status: 'critical',
      output: `TCP connect 127.0.0.1:${closedPort}: connect ECONNREFUSED`,
    });
  });

  it('is critical for an address that is not host:port, without connecting anywhere', async () => {
    for (const address of ['127.0.0.1', 'localhost:0', 'localhost:70000', ':80', 'a b:80']) {
      await expect(runner.run(tcp(address))).resolves.toEqual({
        status: 'critical',
        output: `TCP connect ${address}: invalid address`,
      });
    }
  });

  it('accepts an IPv6 address in brackets', async () => {
    const result = await runner.run(tcp('[::1]:1'));
    expect(result.status).toBe('critical');
    expect(result.output).not.toContain('invalid address');
  });

  it('answers at once, critical, when its run is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runner.run(tcp(`127.0.0.1:${port}`), controller.signal)).resolves.toEqual({
      status: 'critical',
      output: `TCP connect 127.0.0.1:${port}: check cancelled`,
    });
  });
});
