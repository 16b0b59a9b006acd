/**
 * `--workers N` against the built router program: extra processes serve the same listening socket, the primary
 * sums their in-flight counts and counters, restarts a worker that dies, and its workers leave when it is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const edgeEntry = join(import.meta.dirname, '..', 'dist', 'edge.mjs');
/** Below the ephemeral range, apart from the other suites' ranges. */
const edgePort = 22_870;
const upstreamPort = 22_871;

let dir: string;
let edge: ChildProcess | undefined;
let upstream: Server | undefined;
/** Requests the upstream holds open until released. */
let held: (() => void)[] = [];

beforeAll(() => {
  if (!existsSync(edgeEntry)) throw new Error(`${edgeEntry} is missing: run node scripts/build.mjs first`);
});

afterEach(async () => {
  for (const release of held) release();
  held = [];
  if (edge !== undefined && edge.exitCode === null && edge.signalCode === null) edge.kill('SIGKILL');
  for (const pid of seenWorkers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  seenWorkers.clear();
  edge = undefined;
  await new Promise<void>((resolve) => (upstream === undefined ? resolve() : upstream.close(() => resolve())));
  upstream = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startEdgeWithWorkers(workers: number, extraArgs: readonly string[] = []): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'slipway-edge-workers-'));
  upstream = createServer((req, res) => {
    if (req.url === '/hold') held.push(() => res.end('released'));
    else res.end(`ok ${req.url ?? ''}`);
  });
  await new Promise<void>((resolve) => upstream?.listen(upstreamPort, '127.0.0.1', resolve));
  edge = spawn(
    process.execPath,
    [edgeEntry, '--listen', `127.0.0.1:${edgePort}`, '--state-dir', dir, '--workers', String(workers), ...extraArgs],
    { stdio: 'ignore' },
  );
  await until(() => existsSync(join(dir, 'admin.sock')), { timeoutMs: 10_000 });
  await untilAsync(async () => {
    const status = JSON.parse((await admin('GET', '/status')).body) as { workers?: number };
    return status.workers === workers;
  });
  const table = { routes: [routeOf([upstreamEntry])] };
  expect((await admin('PUT', '/table', JSON.stringify(table))).status).toBe(200);
}

const upstreamEntry = { instanceId: 'i1', host: '127.0.0.1', port: upstreamPort, releaseNumber: 1, weight: 1 };

/** The one route of these tests, to the test's upstream(s). */
function routeOf(upstreams: unknown[], extra: Record<string, unknown> = {}) {
  return {
    host: 'w.test',
    pathPrefix: '/',
    app: 'w',
    environment: 'production',
    process: 'web',
    timeoutMs: null,
    upstreams,
    ...extra,
  };
}

/** Every worker pid seen, so none outlives its test. */
const seenWorkers = new Set<number>();

/** Pids of our router's child processes (its traffic workers); none once it is gone. */
function workerPids(): number[] {
  if (edge?.pid === undefined) return [];
  let children: string;
  try {
    children = readFileSync(`/proc/${edge.pid}/task/${edge.pid}/children`, 'utf8').trim();
  } catch {
    return [];
  }
  const pids = children === '' ? [] : children.split(' ').map(Number);
  for (const pid of pids) seenWorkers.add(pid);
  return pids;
}

function admin(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(dir, 'admin.sock'), method, path }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port: edgePort, path, headers: { host: 'w.test' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('edge router with --workers', () => {
  it('serves from every process and sums counters and in-flight requests across them', async () => {
    await startEdgeWithWorkers(2);
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => get(`/r${i}`)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    const metrics = JSON.parse((await admin('GET', '/metrics')).body) as {
      routes: { counters: { requests: number } }[];
    };
    expect(metrics.routes[0]?.counters.requests).toBe(40);

    const holding = Array.from({ length: 6 }, () => get('/hold'));
    await until(() => held.length === 6, { timeoutMs: 5_000 });
    const inFlight = JSON.parse((await admin('GET', '/inflight?ids=i1')).body) as { inFlight: { i1: number } };
    expect(inFlight.inFlight.i1).toBe(6);
    for (const release of held) release();
    held = [];
    expect(await Promise.all(holding)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('holds the requests of a route scaled to zero in every process, signals one wake, and releases them all', async () => {
    await startEdgeWithWorkers(2);
    const coldStart = { holdTimeoutMs: 30_000, maxHeldRequests: 100, maxHeldBytes: 1_048_576 };
    const route = (upstreams: unknown[]) => routeOf(upstreams, { coldStart });
    expect((await admin('PUT', '/table', JSON.stringify({ routes: [route([])] }))).status).toBe(200);
    const waiting = admin('GET', '/wakes?waitMs=30000');

    const requests = Array.from({ length: 20 }, (_, i) => get(`/cold${i}`));
    const holding = async () => {
      const metrics = JSON.parse((await admin('GET', '/metrics')).body) as {
        routes: { coldStart?: { holding: number; wakes: number } }[];
      };
      return metrics.routes[0]?.coldStart;
    };
    await untilAsync(async () => (await holding())?.holding === 20);
    const wakes = JSON.parse((await waiting).body) as { wakes: unknown[] };
    expect((await admin('PUT', '/table', JSON.stringify({ routes: [route([upstreamEntry])] }))).status).toBe(200);

    expect(wakes.wakes).toEqual([{ app: 'w', environment: 'production', process: 'web' }]);
    expect((await Promise.all(requests)).filter((status) => status === 200)).toHaveLength(20);
    expect((await holding())?.holding).toBe(0);
  });

  it('starts another worker when one dies, and keeps serving meanwhile', async () => {
    await startEdgeWithWorkers(2);
    const [first] = workerPids();
    if (first === undefined) throw new Error('no worker started');
    process.kill(first, 'SIGKILL');
    expect(await get('/during')).toBe(200);
    await until(() => workerPids().length === 1 && workerPids()[0] !== first, { timeoutMs: 10_000 });
    await untilAsync(async () => {
      const status = JSON.parse((await admin('GET', '/status')).body) as { workers?: number };
      return status.workers === 2;
    });
    expect(await get('/after')).toBe(200);
  });

  it('holds its workers to the client limits given as flags', async () => {
    // Two processes, each admitting one connection per address: of six held open, two at most are served.
    await startEdgeWithWorkers(2, ['--max-connections-per-address', '1']);
    const sockets: Socket[] = [];
    const statuses: string[] = [];
    try {
      for (let i = 0; i < 6; i += 1) {
        const socket = connect(edgePort, '127.0.0.1');
        sockets.push(socket);
        statuses.push(await statusLineOf(socket));
      }
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    expect(statuses.filter((line) => line.startsWith('HTTP/1.1 200')).length).toBeLessThanOrEqual(2);
    expect(statuses.filter((line) => line.startsWith('HTTP/1.1 429')).length).toBeGreaterThanOrEqual(4);
  });

  it('lets its workers go when the primary is killed, so the port is free for the next router', async () => {
    await startEdgeWithWorkers(3);
    const workers = workerPids();
    expect(workers).toHaveLength(2);
    edge?.kill('SIGKILL');
    const isAlive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !isZombie(pid);
    await until(() => workers.every((pid) => !isAlive(pid)), { timeoutMs: 10_000 });
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(edgePort, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

/** Sends a keep-alive request on `socket` and resolves with its response's status line (the socket stays open). */
function statusLineOf(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end !== -1) resolve(text.slice(0, end));
    });
    socket.write('GET /held HTTP/1.1\r\nHost: w.test\r\n\r\n');
  });
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Polls `check` until it holds; fails after `timeoutMs`. */
async function until(check: () => boolean, { timeoutMs }: { timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function untilAsync(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within 10 s: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
