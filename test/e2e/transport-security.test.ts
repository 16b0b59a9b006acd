/**
 * Transport and the answers' own defences, against real slipwayds: secure headers on every kind of answer, CORS
 * closed by default and open only to an allow-listed origin, the request limits (URL, query, headers, body, path
 * parameters, event streams) each refused with its code, the API over TLS with the self-signed certificate (HSTS,
 * the CLI trusting the data dir's certificate, never an unverified one), and the refusal of plain HTTP on a public
 * address.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@slipway/contract';
import { fixturesDir, freePort, repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const slipwaydEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');

/** A raw HTTP/1.1 exchange over a socket: what a client that ignores every library limit sends. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', (error) => (answer === '' ? reject(error) : resolve(answer)));
    socket.write(text);
  });
}

async function errorOf(response: Response): Promise<{ code: string; message: string; requestId: string }> {
  const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
  return body.error;
}

function expectSecureHeaders(headers: Headers): void {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cache-control')).toContain('no-store');
  expect(headers.get('x-powered-by')).toBeNull();
  for (const name of headers.keys()) expect(name.startsWith('access-control-')).toBe(false);
}

describe('secure headers, CORS and request limits over plain HTTP on loopback', () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'limits' });
    // A running instance, so a followed log stays open until its client leaves.
    const deployed = await slipwayd.api.deployments.create('limits', { path: join(fixturesDir, 'hello-static') });
    expect((await slipwayd.settle(deployed.deployment.id)).state).toBe('succeeded');
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('sends the secure headers on public, authenticated, error and event-stream answers, and no HSTS', async () => {
    const stream = new AbortController();
    const answers = [
      await fetch(`${slipwayd.url}/healthz`, { headers: { origin: 'https://evil.example.com' } }),
      await slipwayd.fetch('/api/v1/apps'),
      await fetch(`${slipwayd.url}/api/v1/apps`),
      await slipwayd.fetch('/api/v1/nothing-here'),
      await slipwayd.fetch('/api/v1/apps/limits/logs?follow=true', { signal: stream.signal }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404, 200]);
    expect(answers[4]?.headers.get('content-type')).toContain('text/event-stream');
    for (const answer of answers) {
      expectSecureHeaders(answer.headers);
      expect(answer.headers.get('strict-transport-security')).toBeNull();
    }
    stream.abort();
  });

  it('refuses a CORS preflight with CORS_ORIGIN_NOT_ALLOWED and no allow headers', async () => {
    const preflight = await fetch(`${slipwayd.url}/api/v1/apps`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.status).toBe(403);
    expectSecureHeaders(preflight.headers);
    expect((await errorOf(preflight)).code).toBe('CORS_ORIGIN_NOT_ALLOWED');
  });

  it('refuses a long URL, many query parameters, a long path parameter and a large body, each coded', async () => {
    const longUrl = await slipwayd.fetch(`/api/v1/apps?x=${'a'.repeat(5000)}`);
    expect(longUrl.status).toBe(414);
    expect((await errorOf(longUrl)).code).toBe('URL_TOO_LONG');
    const query = Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&');
    const manyParams = await slipwayd.fetch(`/api/v1/apps/limits/logs?${query}`);
    expect(manyParams.status).toBe(400);
    expect((await errorOf(manyParams)).code).toBe('VALIDATION_FAILED');
    const longParam = await slipwayd.fetch(`/api/v1/deployments/${'d'.repeat(300)}`);
    expect(longParam.status).toBe(414);
    expect((await errorOf(longParam)).code).toBe('URL_TOO_LONG');
    const large = await slipwayd.fetch('/api/v1/apps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(large.status).toBe(413);
    expect((await errorOf(large)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('takes a raw archive body on the upload route only: elsewhere it is refused before it is read', async () => {
    for (const path of ['/api/v1/apps', '/api/v1/auth/keys/rotate', '/api/v1/apps/limits/scale']) {
      const raw = await slipwayd.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: 'not json',
      });
      expect(raw.status).toBe(415);
      expect((await errorOf(raw)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers headers beyond the limit with a coded 431 and closes the connection', async () => {
    const answer = await rawRequest(
      slipwayd.apiPort,
      `GET /healthz HTTP/1.1\r\nhost: x\r\nx-filler: ${'f'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
    expect(body.error.code).toBe('HEADERS_TOO_LARGE');
    expect(errorCodes).toContain(body.error.code);
    const garbage = await rawRequest(slipwayd.apiPort, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain('"VALIDATION_FAILED"');
    expect((await fetch(`${slipwayd.url}/healthz`)).status).toBe(200);
  });

  it('bounds the event streams of one client: one more is TOO_MANY_STREAMS, and a closed one frees its place', async () => {
    const streams: AbortController[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 16; i += 1) {
      const controller = new AbortController();
      streams.push(controller);
      statuses.push(
        (await slipwayd.fetch('/api/v1/apps/limits/logs?follow=true', { signal: controller.signal })).status,
      );
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(16);
    const refused = await slipwayd.fetch('/api/v1/apps/limits/logs?follow=true');
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('TOO_MANY_STREAMS');
    for (const controller of streams) controller.abort();
    const again = new AbortController();
    await expect
      .poll(async () => {
        const answer = await slipwayd.fetch('/api/v1/apps/limits/logs?follow=true', { signal: again.signal });
        if (answer.status !== 200) await answer.text();
        return answer.status;
      })
      .toBe(200);
    again.abort();
  });
});

describe('the API and the edge over TLS with the self-signed certificate, and an allow-listed origin', () => {
  let slipwayd: SlipwaydHarness;
  let edgeSecurePort: number;
  const dashboard = 'https://dash.example.com';

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create({ isTls: true });
    edgeSecurePort = await freePort();
    await slipwayd.start({ args: ['--cors-origin', dashboard, '--edge-tls', `127.0.0.1:${edgeSecurePort}`] });
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('generates a certificate for localhost into the data dir with a private key, and sends HSTS', async () => {
    const cert = new X509Certificate(await readFile(join(slipwayd.dataDir, 'tls', 'cert.pem')));
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect((await stat(join(slipwayd.dataDir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);
    const health = await slipwayd.fetch('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expectSecureHeaders(health.headers);
  });

  it('names the API in its status as it is served: https:// and the port it listens on', async () => {
    const status = await slipwayd.api.status();
    expect(status.api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(status.api).toBe(slipwayd.url);
  });

  it('serves apps through the edge over HTTPS with the same certificate, and over plain HTTP still', async () => {
    await slipwayd.api.apps.create({ name: 'secure-app' });
    const deployed = await slipwayd.api.deployments.create('secure-app', { path: join(fixturesDir, 'hello-static') });
    expect((await slipwayd.settle(deployed.deployment.id)).state).toBe('succeeded');
    const ca = await readFile(join(slipwayd.dataDir, 'tls', 'cert.pem'), 'utf8');
    const secure = await new Promise<{ status: number; hsts: unknown }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: edgeSecurePort,
          servername: 'localhost',
          ca,
          headers: { host: 'secure-app.localhost' },
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
    expect(secure).toEqual({ status: 200, hsts: undefined });
    expect((await slipwayd.edge('secure-app.localhost')).status).toBe(200);
  });

  it('answers a preflight from the allowed origin with the allow headers, and refuses any other origin', async () => {
    const allowed = await slipwayd.fetch('/api/v1/apps', {
      method: 'OPTIONS',
      headers: { origin: dashboard, 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(dashboard);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const read = await slipwayd.fetch('/api/v1/apps', { headers: { origin: dashboard } });
    expect(read.headers.get('access-control-allow-origin')).toBe(dashboard);
    const other = await slipwayd.fetch('/api/v1/apps', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const otherRead = await slipwayd.fetch('/api/v1/apps', { headers: { origin: 'https://evil.example.com' } });
    expect(otherRead.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the CLI on this machine talk https trusting the data dir certificate, or a --ca-file, never unverified', async () => {
    const trusted = await slipwayd.cli(['apps', 'list', '--json']);
    expect(trusted.code, trusted.stderr).toBe(0);
    // Elsewhere (no data dir), the certificate is not trusted: the CLI fails instead of skipping verification.
    const elsewhere = await mkdtemp(join(tmpdir(), 'slipway-ca-'));
    try {
      const token = (await slipwayd.adminToken()) ?? '';
      const env = { SLIPWAY_DATA_DIR: join(elsewhere, 'none'), SLIPWAY_TOKEN: token };
      const untrusted = await slipwayd.cli(['apps', 'list'], { env, cwd: elsewhere });
      expect(untrusted.code).not.toBe(0);
      expect(untrusted.stderr).toMatch(/SELF_SIGNED|CERT/);
      const withCa = await slipwayd.cli(['apps', 'list', '--ca-file', join(slipwayd.dataDir, 'tls', 'cert.pem')], {
        env,
        cwd: elsewhere,
      });
      expect(withCa.code, withCa.stderr).toBe(0);
      const withEnvCa = await slipwayd.cli(['apps', 'list'], {
        env: { ...env, SLIPWAY_CA_FILE: join(slipwayd.dataDir, 'tls', 'cert.pem') },
        cwd: elsewhere,
      });
      expect(withEnvCa.code, withEnvCa.stderr).toBe(0);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('binding refusal', () => {
  it('refuses plain HTTP on a public address with INSECURE_BINDING and the fixes, before touching the data dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-binding-'));
    try {
      const port = await freePort();
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [slipwaydEntry, '--data-dir', join(dataDir, 'state'), '--api', `0.0.0.0:${port}`],
          { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.on('exit', (code) => resolve({ code, output }));
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain('INSECURE_BINDING');
      expect(result.output).toContain('--insecure-http-on-public-interface');
      expect(result.output).toContain('--tls self-signed');
      await expect(stat(join(dataDir, 'state'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('starts on a public address over plain HTTP only with the escape hatch, saying so', async () => {
    const slipwayd = await SlipwaydHarness.create();
    try {
      await slipwayd.start({
        args: ['--api', `0.0.0.0:${slipwayd.apiPort}`, '--insecure-http-on-public-interface'],
        logLevel: 'warn',
      });
      expect((await slipwayd.fetch('/healthz')).status).toBe(200);
      expect(slipwayd.output).toContain('insecure');
    } finally {
      await slipwayd.destroy();
    }
  });
});
