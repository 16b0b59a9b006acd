import { connect, type Socket } from 'node:net';
import { createMemoryCatalogStore, waitFor } from '@slipway/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCatalogTestServer, type CatalogTestServer } from './catalog-http-test-server.js';
import { createRequestBodyBudget, type RequestBodyBudget } from './request-body-budget.js';

const kib = 1024;
let server: CatalogTestServer;
let budget: RequestBodyBudget;
const sockets: Socket[] = [];

beforeEach(async () => {
  budget = createRequestBodyBudget(1024 * kib);
  server = await startCatalogTestServer(createMemoryCatalogStore(), { bodyBudget: budget });
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server.close();
});

/** A raw connection that sends a request head, then `sent` bytes of a body of `length`; collects what comes back. */
async function slowPut(
  path: string,
  length: number,
  sent: number,
  token = '',
): Promise<{ socket: Socket; text: () => string }> {
  const port = Number(new URL(server.url).port);
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const tokenHeader = token === '' ? '' : `X-Consul-Token: ${token}\r\n`;
  socket.write(`PUT ${path} HTTP/1.1\r\nHost: x\r\n${tokenHeader}Content-Length: ${length}\r\n\r\n`);
  if (sent > 0) socket.write(Buffer.alloc(sent, 0x61));
  return { socket, text: () => received };
}

describe('request body budget of the catalog API', () => {
  it('refuses a body past what all connections may hold at once with 503, keeps the others, and gives bytes back', async () => {
    const first = await slowPut('/v1/kv/a', 512 * kib, 400 * kib);
    const second = await slowPut('/v1/kv/b', 512 * kib, 400 * kib);
    await waitFor(() => expect(budget.heldBytes()).toBe(800 * kib));
    const third = await slowPut('/v1/kv/c', 512 * kib, 400 * kib);
    await waitFor(() => expect(third.text()).toContain('\r\n\r\n'));
    expect(third.text()).toMatch(/^HTTP\/1\.1 503 /);
    expect(third.text()).toContain('Too many request bodies in flight');
    expect(budget.heldBytes()).toBe(800 * kib);

    // The two held bodies finish and are answered (anonymous: refused after the body, as Consul reads it first).
    first.socket.write(Buffer.alloc(112 * kib, 0x61));
    second.socket.write(Buffer.alloc(112 * kib, 0x61));
    await waitFor(() => {
      expect(first.text()).toContain('\r\n\r\n');
      expect(second.text()).toContain('\r\n\r\n');
    });
    expect(first.text()).toMatch(/^HTTP\/1\.1 403 /);
    await waitFor(() => expect(budget.heldBytes()).toBe(0));

    // With the bytes given back, a new body is read and written.
    const answer = await server.request('/v1/kv/d', { method: 'PUT', body: 'x'.repeat(500 * kib) });
    expect(answer.status).toBe(200);
    expect(server.catalog.kvGet('d').value?.value?.length).toBe(500 * kib);
    await waitFor(() => expect(budget.heldBytes()).toBe(0));
  });

  it('counts the bytes of a client that goes away mid-body only until it is gone', async () => {
    const gone = await slowPut('/v1/kv/a', 512 * kib, 300 * kib);
    await waitFor(() => expect(budget.heldBytes()).toBe(300 * kib));
    gone.socket.destroy();
    await waitFor(() => expect(budget.heldBytes()).toBe(0));
  });

  it('checks a snapshot restore, the one larger body, before reading a byte of it: anonymous gets 403', async () => {
    const anonymous = await slowPut('/v1/snapshot', 100 * 1024 * kib, 0);
    await waitFor(() => expect(anonymous.text()).toContain('\r\n\r\n'));
    expect(anonymous.text()).toMatch(/^HTTP\/1\.1 403 /);
    expect(budget.heldBytes()).toBe(0);
  });
});
