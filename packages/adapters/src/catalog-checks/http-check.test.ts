import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputMaxBytes, type RunnableCheckDefinition } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate } from '../tls/tls-certificate.js';
import { createCatalogCheckRunner } from './catalog-check-runner.js';

const runner = createCatalogCheckRunner();

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let tlsServer: HttpsServer;
let base: string;
let tlsBase: string;
let certDir: string;
const seen: SeenRequest[] = [];
let closedHangs = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    });
    switch (req.url ?? '') {
      case '/ok':
        res.writeHead(200, 'OK').end('all good');
        return;
      case '/created':
        res.writeHead(201).end();
        return;
      case '/busy':
        res.writeHead(429, 'Too Many Requests').end('slow down');
        return;
      case '/down':
        res.writeHead(503, 'Service Unavailable').end('db unreachable');
        return;
      case '/moved':
        res.writeHead(302, { location: '/ok' }).end();
        return;
      case '/large':
        res.writeHead(200).end('é'.repeat(10_000));
        return;
      case '/hang':
        res.once('close', () => {
          closedHangs += 1;
        });
        return;
      default:
        res.writeHead(404, 'Not Found').end('no such page');
    }
  });
}

beforeAll(async () => {
  server = createHttpServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  certDir = await mkdtemp(join(tmpdir(), 'slipway-http-check-'));
  const certificate = await ensureSelfSignedCertificate(certDir);
  tlsServer = createHttpsServer({ cert: certificate.cert, key: certificate.key }, handle);
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  tlsServer.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => tlsServer.close(resolve));
  await rm(certDir, { recursive: true, force: true });
});

function http(
  url: string,
  extra: Partial<Extract<RunnableCheckDefinition, { type: 'http' }>> = {},
): RunnableCheckDefinition {
  return {
    type: 'http',
    url,
    method: 'GET',
    header: {},
    body: '',
    tlsSkipVerify: false,
    intervalMs: 10_000,
    timeoutMs: 5_000,
    ...extra,
  };
}

describe('HTTP catalog check', () => {
  it('is passing on 2xx, with the status line and the body in Consul’s wording', async () => {
    await expect(runner.run(http(`${base}/ok`))).resolves.toEqual({
      status: 'passing',
      output: `HTTP GET ${base}/ok: 200 OK Output: all good`,
    });
    expect((await runner.run(http(`${base}/created`))).status).toBe('passing');
  });

  it('is warning on 429 and critical on any other status', async () => {
    const busy = await runner.run(http(`${base}/busy`));
    expect(busy.status).toBe('warning');
    expect(busy.output).toBe(`HTTP GET ${base}/busy: 429 Too Many Requests Output: slow down`);
    expect((await runner.run(http(`${base}/down`))).status).toBe('critical');
    expect((await runner.run(http(`${base}/missing`))).status).toBe('critical');
  });

  it('sends the definition’s method, headers and body', async () => {
    seen.length = 0;
    const result = await runner.run(
      http(`${base}/ok`, {
        method: 'post',
        header: { 'X-Probe': ['one', 'two'], Host: ['svc.internal'] },
        body: '{"ping":true}',
      }),
    );
    expect(result.status).toBe('passing');
    expect(result.output.startsWith(`HTTP POST ${base}/ok: 200 OK`)).toBe(true);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.body).toBe('{"ping":true}');
    expect(request?.headers['x-probe']).toBe('one, two');
    expect(request?.headers.host).toBe('svc.internal');
    expect(request?.headers['user-agent']).toBe('Consul Health Check');
  });

  it('follows a redirect and answers with the final page', async () => {
    seen.length = 0;
    const result = await runner.run(http(`${base}/moved`));
    expect(result).toEqual({ status: 'passing', output: `HTTP GET ${base}/ok: 200 OK Output: all good` });
    expect(seen.map((request) => request.url)).toEqual(['/moved', '/ok']);
  });

  it('keeps the output within 4 KiB, cut on a character boundary', async () => {
    const result = await runner.run(http(`${base}/large`));
    expect(result.status).toBe('passing');
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(checkOutputMaxBytes);
    expect(result.output).not.toContain('\uFFFD');
  });

  it('is critical at its timeout and closes the request it made', async () => {
    const before = closedHangs;
    const result = await runner.run(http(`${base}/hang`, { timeoutMs: 200 }));
    expect(result).toEqual({ status: 'critical', output: `HTTP GET ${base}/hang: timeout after 200 ms` });
    await expect.poll(() => closedHangs).toBe(before + 1);
  });

  it('is critical when nothing listens, and for a URL it cannot request', async () => {
    const closed = createHttpServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(runner.run(http(`http://127.0.0.1:${closedPort}/`))).resolves.toEqual({
      status: 'critical',
      output: `HTTP GET http://127.0.0.1:${closedPort}/: connect ECONNREFUSED`,
    });
    await expect(runner.run(http('not a url'))).resolves.toEqual({
      status: 'critical',
      output: 'HTTP GET (invalid URL): invalid URL',
    });
    expect((await runner.run(http('ftp://127.0.0.1/x'))).status).toBe('critical');
  });

  it('sends a URL’s credentials as basic auth and never shows them', async () => {
    seen.length = 0;
    const withCredentials = base.replace('http://', 'http://probe:s3cret@');
    const result = await runner.run(http(`${withCredentials}/ok`));
    expect(result.status).toBe('passing');
    expect(result.output).not.toContain('s3cret');
    expect(result.output).not.toContain('probe');
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('probe:s3cret').toString('base64')}`);
  });

  it('verifies a TLS certificate unless told to skip the verification', async () => {
    const verified = await runner.run(http(`${tlsBase}/ok`));
    expect(verified.status).toBe('critical');
    expect(verified.output.startsWith(`HTTP GET ${tlsBase}/ok: `)).toBe(true);
    await expect(runner.run(http(`${tlsBase}/ok`, { tlsSkipVerify: true }))).resolves.toEqual({
      status: 'passing',
      output: `HTTP GET ${tlsBase}/ok: 200 OK Output: all good`,
    });
  });

  it('answers at once, critical, when its run is cancelled', async () => {
    const controller = new AbortController();
    const running = runner.run(http(`${base}/hang`, { timeoutMs: 60_000 }), controller.signal);
    controller.abort();
    await expect(running).resolves.toEqual({
      status: 'critical',
      output: `HTTP GET ${base}/hang: check cancelled`,
    });
  });
});
