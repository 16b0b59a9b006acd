/**
 * Per-host certificates and ACME challenges on a real router with real TLS clients: SNI picks a host's certificate
 * (exact, then wildcard, else the listener's own), a new state swaps certificates without dropping a connection,
 * HTTP-01 tokens are answered before routing on the plain listener, a TLS-ALPN-01 validation gets the challenge
 * certificate while every other client gets the host's, a bad state is refused whole, and a restart serves the
 * persisted state.
 */
import { mkdtemp } from 'node:fs/promises';
import { Agent, request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls, type PeerCertificate } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgeTlsState } from '@slipway/contract';
import { ensureSelfSignedCertificate } from '@slipway/adapters';
import { edgeStateFiles, startEdge } from './start-edge.js';
import { removeDir, routeTo, send, startUpstream } from './edge-test-harness.js';
import { selfSignedFor } from './test-certificates.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface SecureAnswer {
  status: number;
  body: string;
  subject: string;
}

function secureGet(port: number, servername: string, options: RequestOptions): Promise<SecureAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, servername, path: '/', headers: { host: servername }, ...options },
      (res) => {
        const peer = (res.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject: String(peer.subject.CN ?? '') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The subject of the certificate a handshake offering only `protocols` gets, and the protocol agreed. */
function handshake(
  port: number,
  servername: string,
  protocols: string[],
): Promise<{ subject: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = connectTls(
      { host: '127.0.0.1', port, servername, ALPNProtocols: protocols, rejectUnauthorized: false },
      () => {
        const subject = String(socket.getPeerCertificate().subject.CN ?? '');
        resolve({ subject, alpn: socket.alpnProtocol ?? false });
        socket.destroy();
      },
    );
    socket.on('error', reject);
  });
}

async function startSecureEdge(stateDir?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-edge-certs-'));
  cleanups.push(() => removeDir(dir));
  const fallback = await ensureSelfSignedCertificate(join(dir, 'tls'));
  const upstream = await startUpstream('app');
  cleanups.push(() => upstream.close());
  const edgeDir = stateDir ?? join(dir, 'edge');
  const edge = await startEdge({
    listen: { host: '127.0.0.1', port: 0 },
    stateDir: edgeDir,
    shutdownGraceMs: 500,
    tls: { listen: { host: '127.0.0.1', port: 0 }, cert: fallback.cert, key: fallback.key },
  });
  cleanups.push(() => edge.close());
  const socketPath = edgeStateFiles(edgeDir).adminSocket;
  const routes = ['a.test', 'b.test', 'x.wild.test', 'other.test'].map((host) =>
    routeTo(host, '/', [upstream.asUpstream()]),
  );
  expect((await send({ socketPath, method: 'PUT', path: '/table', body: JSON.stringify({ routes }) })).statusCode).toBe(
    200,
  );
  const putTls = (state: EdgeTlsState | string) =>
    send({ socketPath, method: 'PUT', path: '/tls', body: typeof state === 'string' ? state : JSON.stringify(state) });
  return {
    dir,
    edgeDir,
    edge,
    putTls,
    port: Number(edge.address.split(':').at(-1)),
    securePort: Number(edge.secureAddress?.split(':').at(-1)),
  };
}

describe('per-host certificates and ACME challenges on the edge', () => {
  it('serves each host its own certificate by SNI, a wildcard for hosts under it, and its own for the rest', async () => {
    const { dir, putTls, securePort } = await startSecureEdge();
    const a = selfSignedFor(dir, 'a.test');
    const b = selfSignedFor(dir, 'b.test');
    const wild = selfSignedFor(dir, '*.wild.test', 'wild');
    const put = await putTls({ certificates: [a, b, wild], http01: [], tlsAlpn01: [] });
    expect(put.statusCode).toBe(200);
    expect(JSON.parse(put.body)).toEqual({ hosts: 3 });
    expect(await secureGet(securePort, 'a.test', { ca: a.cert, agent: false })).toMatchObject({
      status: 200,
      subject: 'a.test',
    });
    expect(await secureGet(securePort, 'b.test', { ca: b.cert, agent: false })).toMatchObject({
      status: 200,
      subject: 'b.test',
    });
    expect(await secureGet(securePort, 'x.wild.test', { ca: wild.cert, agent: false })).toMatchObject({
      status: 200,
      subject: '*.wild.test',
    });
    // A host without a certificate of its own gets the listener's (which does not name it).
    await expect(secureGet(securePort, 'other.test', { ca: a.cert, agent: false })).rejects.toThrow(
      /certificate|self-signed/i,
    );
    expect((await handshake(securePort, 'other.test', ['http/1.1'])).subject).toBe('localhost');
  });

  it('swaps a certificate for new handshakes while a kept-alive connection goes on being served', async () => {
    const { dir, putTls, securePort } = await startSecureEdge();
    const first = selfSignedFor(dir, 'a.test', 'first');
    const second = selfSignedFor(dir, 'a.test', 'second');
    expect((await putTls({ certificates: [first], http01: [], tlsAlpn01: [] })).statusCode).toBe(200);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: first.cert });
    cleanups.push(async () => agent.destroy());
    expect((await secureGet(securePort, 'a.test', { agent })).status).toBe(200);
    expect((await putTls({ certificates: [second], http01: [], tlsAlpn01: [] })).statusCode).toBe(200);
    // The same connection (the agent holds one socket, verified against the first certificate only) still serves.
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push((await secureGet(securePort, 'a.test', { agent })).status);
    expect(answers).toEqual([200, 200, 200]);
    await expect(secureGet(securePort, 'a.test', { ca: first.cert, agent: false })).rejects.toThrow();
    expect((await secureGet(securePort, 'a.test', { ca: second.cert, agent: false })).status).toBe(200);
  });

  it('answers an HTTP-01 token before routing, on any host, and routes every other path as before', async () => {
    const { putTls, port } = await startSecureEdge();
    const put = await putTls({
      certificates: [],
      http01: [{ token: 'tok_1-A', keyAuthorization: 'tok_1-A.thumb' }],
      tlsAlpn01: [],
    });
    expect(put.statusCode).toBe(200);
    const challenge = await send({ port, path: '/.well-known/acme-challenge/tok_1-A', headers: { host: 'a.test' } });
    expect(challenge.statusCode).toBe(200);
    expect(challenge.headers['content-type']).toBe('text/plain');
    expect(challenge.body).toBe('tok_1-A.thumb');
    const unrouted = await send({
      port,
      path: '/.well-known/acme-challenge/tok_1-A',
      headers: { host: 'nowhere.test' },
    });
    expect(unrouted.body).toBe('tok_1-A.thumb');
    const unknownToken = await send({ port, path: '/.well-known/acme-challenge/other', headers: { host: 'a.test' } });
    expect(JSON.parse(unknownToken.body)).toMatchObject({ url: '/.well-known/acme-challenge/other' });
    expect((await putTls({ certificates: [], http01: [], tlsAlpn01: [] })).statusCode).toBe(200);
    const after = await send({ port, path: '/.well-known/acme-challenge/tok_1-A', headers: { host: 'a.test' } });
    expect(JSON.parse(after.body)).toMatchObject({ name: 'app' });
  });

  it('gives a TLS-ALPN-01 validation the challenge certificate, and every other client the host certificate', async () => {
    const { dir, putTls, securePort } = await startSecureEdge();
    const served = selfSignedFor(dir, 'a.test', 'served');
    const challenge = selfSignedFor(dir, 'a.test', 'challenge');
    expect((await putTls({ certificates: [served], http01: [], tlsAlpn01: [challenge] })).statusCode).toBe(200);
    const validation = await handshake(securePort, 'a.test', ['acme-tls/1']);
    expect(validation.alpn).toBe('acme-tls/1');
    // The other handshakes meanwhile: the host's own certificate, HTTP served.
    expect(await secureGet(securePort, 'a.test', { ca: served.cert, agent: false })).toMatchObject({ status: 200 });
    await expect(secureGet(securePort, 'a.test', { ca: challenge.cert, agent: false })).rejects.toThrow();
    // Without a challenge for the host, acme-tls/1 gets the ordinary certificate and no protocol.
    expect(await handshake(securePort, 'b.test', ['acme-tls/1'])).toMatchObject({ subject: 'localhost', alpn: false });
  });

  it('redirects plain HTTP to HTTPS on a route that asks for it, and adds HSTS to its HTTPS answers only', async () => {
    const { dir, edgeDir, putTls, port, securePort } = await startSecureEdge();
    const upstream = await startUpstream('secure-app');
    cleanups.push(() => upstream.close());
    const a = selfSignedFor(dir, 'a.test');
    expect((await putTls({ certificates: [a], http01: [], tlsAlpn01: [] })).statusCode).toBe(200);
    const routes = [
      { ...routeTo('a.test', '/', [upstream.asUpstream()]), httpsRedirectPort: securePort, hsts: 'max-age=300' },
      routeTo('b.test', '/', [upstream.asUpstream()]),
    ];
    const socketPath = edgeStateFiles(edgeDir).adminSocket;
    const put = await send({ socketPath, method: 'PUT', path: '/table', body: JSON.stringify({ routes }) });
    expect(put.statusCode).toBe(200);
    const plain = await send({ port, path: '/cart?item=1', headers: { host: 'a.test' } });
    expect(plain.statusCode).toBe(308);
    expect(plain.headers.location).toBe(`https://a.test:${securePort}/cart?item=1`);
    expect(upstream.requests).toHaveLength(0);
    // The ACME HTTP-01 path is answered before the redirect (a renewal validates over plain HTTP).
    expect(
      (await putTls({ certificates: [a], http01: [{ token: 't1', keyAuthorization: 't1.k' }], tlsAlpn01: [] }))
        .statusCode,
    ).toBe(200);
    expect((await send({ port, path: '/.well-known/acme-challenge/t1', headers: { host: 'a.test' } })).body).toBe(
      't1.k',
    );
    const secure = await new Promise<{ status: number; hsts: string | string[] | undefined }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: securePort,
          servername: 'a.test',
          headers: { host: 'a.test' },
          ca: a.cert,
          agent: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(secure).toEqual({ status: 200, hsts: 'max-age=300' });
    const other = await send({ port, headers: { host: 'b.test' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['strict-transport-security']).toBeUndefined();
    const badHsts = await send({
      socketPath,
      method: 'PUT',
      path: '/table',
      body: JSON.stringify({ routes: [{ ...routeTo('a.test', '/', []), hsts: 'max-age=1\r\nx: y' }] }),
    });
    expect(badHsts.statusCode).toBe(400);
  });

  it('refuses a state with a bad certificate whole, keeping the previous one', async () => {
    const { dir, putTls, securePort } = await startSecureEdge();
    const a = selfSignedFor(dir, 'a.test');
    const b = selfSignedFor(dir, 'b.test');
    expect((await putTls({ certificates: [a], http01: [], tlsAlpn01: [] })).statusCode).toBe(200);
    const mismatched = await putTls({
      certificates: [{ host: 'b.test', cert: b.cert, key: a.key }],
      http01: [],
      tlsAlpn01: [],
    });
    expect(mismatched.statusCode).toBe(400);
    expect(JSON.parse(mismatched.body)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { host: 'b.test' } },
    });
    expect(mismatched.body).not.toContain('PRIVATE KEY');
    const badToken = await putTls({
      certificates: [],
      http01: [{ token: '../x', keyAuthorization: 'k' }],
      tlsAlpn01: [],
    });
    expect(badToken.statusCode).toBe(400);
    expect((await putTls('{')).statusCode).toBe(400);
    expect(await secureGet(securePort, 'a.test', { ca: a.cert, agent: false })).toMatchObject({
      status: 200,
      subject: 'a.test',
    });
  });

  it('serves the persisted certificates after a restart, before any state is sent again', async () => {
    const first = await startSecureEdge();
    const a = selfSignedFor(first.dir, 'a.test');
    expect((await first.putTls({ certificates: [a], http01: [], tlsAlpn01: [] })).statusCode).toBe(200);
    await first.edge.close();
    const second = await startSecureEdge(first.edgeDir);
    expect(await secureGet(second.securePort, 'a.test', { ca: a.cert, agent: false })).toMatchObject({
      status: 200,
      subject: 'a.test',
    });
  });
});
