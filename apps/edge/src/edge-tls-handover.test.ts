/**
 * The HTTPS listener across a graceful restart, against the built router program: the successor takes over the TLS
 * listening socket with the plain one, so HTTPS keeps answering through `POST /handover` and the predecessor leaves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate } from '@slipway/adapters';

const edgeEntry = join(import.meta.dirname, '..', 'dist', 'edge.mjs');
/** Below the ephemeral range, apart from the other suites' ranges. */
const edgePort = 22_880;
const securePort = 22_881;
const upstreamPort = 22_882;

let dir: string;
let edge: ChildProcess | undefined;
let upstream: Server | undefined;
const pids = new Set<number>();

beforeAll(() => {
  if (!existsSync(edgeEntry)) throw new Error(`${edgeEntry} is missing: run node scripts/build.mjs first`);
});

afterEach(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  pids.clear();
  edge = undefined;
  await new Promise<void>((resolve) => (upstream === undefined ? resolve() : upstream.close(() => resolve())));
  upstream = undefined;
  await rm(dir, { recursive: true, force: true });
});

function secureGet(ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: securePort, servername: 'localhost', ca, headers: { host: 't.test' }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the edge HTTPS listener across a graceful restart', () => {
  it('keeps answering HTTPS through POST /handover, from the successor', async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-edge-tls-handover-'));
    const certificate = await ensureSelfSignedCertificate(join(dir, 'tls'));
    upstream = createServer((req, res) => res.end(`proto ${String(req.headers['x-forwarded-proto'])}`));
    await new Promise<void>((resolve) => upstream?.listen(upstreamPort, '127.0.0.1', resolve));
    edge = spawn(
      process.execPath,
      [
        edgeEntry,
        '--listen',
        `127.0.0.1:${edgePort}`,
        '--state-dir',
        join(dir, 'edge'),
        '--tls-listen',
        `127.0.0.1:${securePort}`,
        '--tls-cert',
        certificate.certFile,
        '--tls-key',
        join(dir, 'tls', 'key.pem'),
      ],
      { stdio: 'ignore' },
    );
    const firstPid = edge.pid ?? 0;
    pids.add(firstPid);
    await until(() => existsSync(join(dir, 'edge', 'admin.sock')));
    const table = {
      routes: [
        {
          host: 't.test',
          pathPrefix: '/',
          app: 't',
          environment: 'production',
          process: 'web',
          timeoutMs: null,
          upstreams: [{ instanceId: 'i1', host: '127.0.0.1', port: upstreamPort, releaseNumber: 1, weight: 1 }],
        },
      ],
    };
    const put = await new Promise<{ status: number }>((resolve, reject) => {
      const req = httpRequest({ socketPath: join(dir, 'edge', 'admin.sock'), method: 'PUT', path: '/table' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(table));
    });
    expect(put.status).toBe(200);
    expect(await secureGet(certificate.cert)).toEqual({ status: 200, body: 'proto https' });

    const handover = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { socketPath: join(dir, 'edge', 'admin.sock'), method: 'POST', path: '/handover' },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(handover.status, handover.body).toBe(200);
    const successorPid = (JSON.parse(handover.body) as { pid: number }).pid;
    pids.add(successorPid);
    expect(successorPid).not.toBe(firstPid);
    await until(() => !isAlive(firstPid));
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await secureGet(certificate.cert));
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ status: 200, body: 'proto https' })));
  });
});
