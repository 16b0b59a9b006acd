/**
 * The HTTPS listener beside the plain one, against a real router, a real upstream and a real TLS client: requests
 * over TLS reach the app with `X-Forwarded-Proto: https` (a client's own value replaced), plain ones with `http`, both
 * listeners serve the same table, keep-alive works over TLS, HSTS is left to the apps, a client that refuses the
 * certificate does not disturb the router, and closing stops both listeners.
 */
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { Agent, request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate } from '@slipway/adapters';
import { edgeStateFiles, startEdge, type StartEdgeOptions } from './start-edge.js';
import { echoOf, removeDir, routeTo, send, startUpstream } from './edge-test-harness.js';
import { until } from './raw-edge-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface SecureAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function secureGet(options: RequestOptions): Promise<SecureAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', servername: 'localhost', path: '/', ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startSecureEdge(
  clientLimits: StartEdgeOptions['clientLimits'] = {},
  clientTimeouts: StartEdgeOptions['clientTimeouts'] = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-edge-tls-'));
  cleanups.push(() => removeDir(dir));
  const certificate = await ensureSelfSignedCertificate(join(dir, 'tls'));
  const upstream = await startUpstream('app');
  cleanups.push(() => upstream.close());
  const stateDir = join(dir, 'edge');
  const edge = await startEdge({
    listen: { host: '127.0.0.1', port: 0 },
    stateDir,
    shutdownGraceMs: 500,
    clientLimits,
    clientTimeouts,
    tls: { listen: { host: '127.0.0.1', port: 0 }, cert: certificate.cert, key: certificate.key },
  });
  cleanups.push(() => edge.close());
  const table = { routes: [routeTo('app.test', '/', [upstream.asUpstream()])] };
  const put = await send({
    socketPath: edgeStateFiles(stateDir).adminSocket,
    method: 'PUT',
    path: '/table',
    body: JSON.stringify(table),
  });
  expect(put.statusCode).toBe(200);
  const port = Number(edge.address.split(':').at(-1));
  const securePort = Number(edge.secureAddress?.split(':').at(-1));
  return { edge, upstream, port, securePort, ca: certificate.cert };
}

describe('the edge router over TLS', () => {
  it('serves the same table on both listeners and tells the app which scheme the client spoke', async () => {
    const { port, securePort, ca } = await startSecureEdge();
    const secure = await secureGet({
      port: securePort,
      ca,
      headers: { host: 'app.test', 'x-forwarded-proto': 'http' },
      agent: false,
    });
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toMatchObject({ headers: { 'x-forwarded-proto': 'https', host: 'app.test' } });
    expect(secure.headers['strict-transport-security']).toBeUndefined();
    const plain = await send({ port, headers: { host: 'app.test', 'x-forwarded-proto': 'https' } });
    expect(plain.statusCode).toBe(200);
    expect(echoOf(plain).headers['x-forwarded-proto']).toBe('http');
  });

  it('keeps a TLS connection alive across requests, and answers an unknown host with the router 404', async () => {
    const { securePort, ca, upstream } = await startSecureEdge();
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    cleanups.push(async () => agent.destroy());
    const answers = [];
    for (let i = 0; i < 5; i += 1) {
      answers.push(await secureGet({ port: securePort, agent, headers: { host: 'app.test' } }));
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(upstream.requests).toHaveLength(5);
    const unknown = await secureGet({ port: securePort, agent, headers: { host: 'nobody.test' } });
    expect(unknown.status).toBe(404);
  });

  it('cuts a TLS connection over the connection cap before its handshake, and keeps serving the ones it holds', async () => {
    const { edge, securePort, ca } = await startSecureEdge({ maxConnections: 1 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    cleanups.push(async () => agent.destroy());
    expect((await secureGet({ port: securePort, agent, headers: { host: 'app.test' } })).status).toBe(200);
    await expect(secureGet({ port: securePort, ca, headers: { host: 'app.test' }, agent: false })).rejects.toThrow(
      /ECONNRESET|socket hang up|disconnected/,
    );
    expect((await secureGet({ port: securePort, agent, headers: { host: 'app.test' } })).status).toBe(200);
    expect(edge.clientConnections().open).toBe(1);
  });

  it('counts TLS handshakes against the per-address cap: one address stalling handshakes leaves others served', async () => {
    // A handshake that does not complete within the head timeout is cut (a client that left mid-handshake too).
    const { edge, securePort, ca } = await startSecureEdge({ maxConnectionsPerAddress: 3 }, { headMs: 3_000 });
    // Connections from 127.0.0.1 that never send a ClientHello: each holds a handshake open.
    const stalled = Array.from({ length: 6 }, () => connect(securePort, '127.0.0.1'));
    cleanups.push(async () => stalled.forEach((socket) => socket.destroy()));
    let closedCount = 0;
    for (const socket of stalled) {
      socket.on('error', () => undefined);
      socket.once('close', () => (closedCount += 1));
    }
    // Three are held (the cap), the others cut at once.
    await until(() => closedCount === 3 && edge.clientConnections().handshaking === 3);
    // Another address of the same machine still gets its handshake and its answer.
    const other = await secureGet({
      port: securePort,
      ca,
      localAddress: '127.0.0.2',
      headers: { host: 'app.test' },
      agent: false,
    });
    expect(other.status).toBe(200);
    // The stalling address gets no more until its handshakes end.
    await expect(secureGet({ port: securePort, ca, headers: { host: 'app.test' }, agent: false })).rejects.toThrow(
      /ECONNRESET|socket hang up|disconnected/,
    );
    expect(closedCount).toBe(3);
    // Once their handshakes are over (timed out), the address is served again.
    await until(() => edge.clientConnections().handshaking === 0);
    expect((await secureGet({ port: securePort, ca, headers: { host: 'app.test' }, agent: false })).status).toBe(200);
  });

  it('survives clients that refuse its certificate or do not speak TLS, and stops both listeners on close', async () => {
    const { edge, port, securePort, ca } = await startSecureEdge();
    await expect(secureGet({ port: securePort, headers: { host: 'app.test' }, agent: false })).rejects.toThrow(
      /self-signed|certificate/i,
    );
    const plainToTls = await send({ port: securePort, headers: { host: 'app.test' } }).catch((error: Error) => error);
    expect(plainToTls).toBeInstanceOf(Error);
    const after = await secureGet({ port: securePort, ca, headers: { host: 'app.test' }, agent: false });
    expect(after.status).toBe(200);
    await edge.close();
    await expect(secureGet({ port: securePort, ca, headers: { host: 'app.test' }, agent: false })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(send({ port, headers: { host: 'app.test' } })).rejects.toThrow(/ECONNREFUSED/);
  });
});
