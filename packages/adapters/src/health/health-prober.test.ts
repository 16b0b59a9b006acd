import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { ExecResult, ProbeCheck, ProbeTarget } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthProber, isExpectedStatus } from './health-prober.js';

const prober = createHealthProber();
let server: Server;
let port: number;

beforeAll(async () => {
  server = createHttpServer((req, res) => {
    if (req.url === '/ok') res.writeHead(200).end('ok');
    else if (req.url === '/created') res.writeHead(201).end();
    else if (req.url === '/unavailable') res.writeHead(503).end('down');
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2000).unref();
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const noExec = async (): Promise<ExecResult> => ({ exitCode: 0, output: '' });
const target = (overrides: Partial<ProbeTarget> = {}): ProbeTarget => ({
  host: '127.0.0.1',
  port,
  exec: noExec,
  ...overrides,
});
const http = (path: string, extra: Partial<Extract<ProbeCheck, { type: 'http' }>> = {}): ProbeCheck => ({
  type: 'http',
  path,
  intervalSeconds: 1,
  timeoutSeconds: 1,
  retries: 3,
  startPeriodSeconds: 0,
  ...extra,
});
const tcp: ProbeCheck = { type: 'tcp', intervalSeconds: 1, timeoutSeconds: 1, retries: 3, startPeriodSeconds: 0 };
const exec = (command: string): ProbeCheck => ({
  type: 'exec',
  command,
  intervalSeconds: 1,
  timeoutSeconds: 0.5,
  retries: 3,
  startPeriodSeconds: 0,
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port: free } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

describe('http checks', () => {
  it('are healthy on 200 and, by default, on any status below 500', async () => {
    expect(await prober.probe(http('/ok'), target())).toEqual({ isHealthy: true, detail: 'HTTP 200' });
    expect(await prober.probe(http('/missing'), target())).toEqual({ isHealthy: true, detail: 'HTTP 404' });
  });

  it('are unhealthy on 503', async () => {
    expect(await prober.probe(http('/unavailable'), target())).toEqual({ isHealthy: false, detail: 'HTTP 503' });
  });

  it('honour an exact expected status or a status class', async () => {
    expect((await prober.probe(http('/created', { expectedStatus: '2xx' }), target())).isHealthy).toBe(true);
    expect((await prober.probe(http('/missing', { expectedStatus: '2xx' }), target())).isHealthy).toBe(false);
    expect((await prober.probe(http('/created', { expectedStatus: 200 }), target())).isHealthy).toBe(false);
    expect((await prober.probe(http('/unavailable', { expectedStatus: 503 }), target())).isHealthy).toBe(true);
  });

  it('report a refused connection', async () => {
    expect(await prober.probe(http('/ok'), target({ port: await closedPort() }))).toEqual({
      isHealthy: false,
      detail: 'connect ECONNREFUSED',
    });
  });

  it('give up after timeoutSeconds', async () => {
    const startedAt = Date.now();
    expect(await prober.probe(http('/slow', { timeoutSeconds: 0.3 }), target())).toEqual({
      isHealthy: false,
      detail: 'timeout after 300 ms',
    });
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });
});

describe('http checks and where they go', () => {
  it('probe only the target: a path naming another host, or that would break the request line, is never sent', async () => {
    const seen: string[] = [];
    const other = createHttpServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200).end();
    });
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const otherPort = (other.address() as AddressInfo).port;
    try {
      for (const path of [
        `http://127.0.0.1:${otherPort}/`,
        `//127.0.0.1:${otherPort}/`,
        `127.0.0.1:${otherPort}/`,
        '/ok HTTP/1.1\r\nHost: elsewhere',
        '/a b',
      ]) {
        const result = await prober.probe(http(path), target({ port: await closedPort() }));
        expect({ path, result }).toEqual({
          path,
          result: { isHealthy: false, detail: 'not probed: the check path is not an origin-form path' },
        });
      }
      expect(seen).toEqual([]);
      expect(await prober.probe(http('/ok'), target())).toEqual({ isHealthy: true, detail: 'HTTP 200' });
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('tcp checks', () => {
  it('are healthy when a connection opens and unhealthy when it is refused', async () => {
    expect(await prober.probe(tcp, target())).toEqual({ isHealthy: true, detail: 'connected' });
    expect(await prober.probe(tcp, target({ port: await closedPort() }))).toEqual({
      isHealthy: false,
      detail: 'connect ECONNREFUSED',
    });
  });
});

describe('exec checks', () => {
  it('run the command through the target with the check timeout and are healthy on exit 0', async () => {
    const calls: [string, number][] = [];
    const result = await prober.probe(
      exec('pg_isready'),
      target({
        exec: async (command, { timeoutMs }) => {
          calls.push([command, timeoutMs]);
          return { exitCode: 0, output: 'accepting connections\n' };
        },
      }),
    );
    expect(result).toEqual({ isHealthy: true, detail: 'exit 0' });
    expect(calls).toEqual([['pg_isready', 500]]);
  });

  it('quote the last output line on a non-zero exit', async () => {
    const result = await prober.probe(
      exec('check'),
      target({ exec: async () => ({ exitCode: 1, output: 'checking…\nno database connection\n\n' }) }),
    );
    expect(result).toEqual({ isHealthy: false, detail: 'exit 1: no database connection' });
  });

  it('turn a failing or silent exec into an unhealthy result instead of an exception', async () => {
    const failing = await prober.probe(
      exec('check'),
      target({ exec: () => Promise.reject(new Error('instance is gone')) }),
    );
    expect(failing).toEqual({ isHealthy: false, detail: 'exec failed: instance is gone' });
    const silent = await prober.probe(exec('check'), target({ exec: () => new Promise<ExecResult>(() => {}) }));
    expect(silent).toEqual({ isHealthy: false, detail: 'timeout after 500 ms' });
  });
});

describe('isExpectedStatus', () => {
  it('matches exact codes, classes, and below-500 by default', () => {
    expect(isExpectedStatus(204, '2xx')).toBe(true);
    expect(isExpectedStatus(302, '2xx')).toBe(false);
    expect(isExpectedStatus(302, 302)).toBe(true);
    expect(isExpectedStatus(499, undefined)).toBe(true);
    expect(isExpectedStatus(500, undefined)).toBe(false);
  });
});
