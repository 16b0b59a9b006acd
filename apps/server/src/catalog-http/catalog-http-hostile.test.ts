/**
 * The catalog API against hostile clients, over real sockets: what Node cannot parse and what Fastify's router
 * refuses are answered in plain text, never logged with the request's bytes (its `?token=` and token headers).
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { createMemoryCatalogStore } from '@slipway/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogTestServer, type CatalogTestServer } from './catalog-http-test-server.js';

let server: CatalogTestServer;
let logged = '';
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  server = await startCatalogTestServer(createMemoryCatalogStore(), { logger: pino({ level: 'trace' }, sink) });
});
afterAll(async () => {
  await server.close();
});

/** Sends `bytes` on a connection of its own; resolves with everything answered until the server closes it. */
const exchange = (bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let answer = '';
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });

const bodyOf = (answer: string): string => answer.slice(answer.indexOf('\r\n\r\n') + 4);

describe('the catalog HTTP API against hostile clients', () => {
  it('answers requests Node cannot parse in plain text and logs none of their tokens', async () => {
    const sentinel = `sentinel-${Date.now()}`;
    const malformed = await exchange(
      `GET /v1/kv/a?token=${sentinel} HTTP/1.1\r\nHost: x\r\nX-Consul-Token: ${sentinel}\r\n` +
        `Authorization: Bearer ${sentinel}\r\nBad Header\r\n\r\n`,
    );
    expect(malformed.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(malformed).toMatch(/content-type: text\/plain; charset=utf-8/i);
    expect(bodyOf(malformed)).toBe('400 Bad Request');

    const oversized = await exchange(
      `GET /v1/kv/a?token=${sentinel} HTTP/1.1\r\nHost: x\r\nX-Consul-Token: ${sentinel}\r\n` +
        `X-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(oversized.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(bodyOf(oversized)).toBe('431 Request Header Fields Too Large');

    // Neither as text nor as the byte list a logged Buffer becomes.
    expect(logged).not.toContain(sentinel);
    expect(logged).not.toContain([...Buffer.from(sentinel)].join(','));
  });

  it('answers a path with a broken percent-encoding 400 in plain text', async () => {
    for (const path of ['/v1/kv/%zz', '/v1/kv/%', '/v1/kv/%ED%A0%80']) {
      const response = await server.request(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type'), path).toBe('text/plain; charset=utf-8');
      expect(await response.text(), path).toBe('invalid URL escape in path');
    }
  });
});
