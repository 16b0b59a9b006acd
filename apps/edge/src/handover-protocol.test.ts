/**
 * The successor's side of the handover protocol, against the built router program, with this test as the
 * predecessor: a predecessor from before the `handles` announcement (it sends the plain listener first, unannounced)
 * and a current one that hands over nothing because the successor listens on a new address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const edgeEntry = join(import.meta.dirname, '..', 'dist', 'edge.mjs');

let dir: string | undefined;
let successor: ChildProcess | undefined;
let listener: Server | undefined;

beforeAll(() => {
  if (!existsSync(edgeEntry)) throw new Error(`${edgeEntry} is missing: run node scripts/build.mjs first`);
});

afterEach(async () => {
  successor?.kill('SIGKILL');
  successor = undefined;
  await new Promise<void>((resolve) => (listener?.listening === true ? listener.close(() => resolve()) : resolve()));
  listener = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function listenAnywhere(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function startSuccessor(listenPort: number): Promise<ChildProcess> {
  dir = await mkdtemp(join(tmpdir(), 'slipway-handover-protocol-'));
  return spawn(
    process.execPath,
    [edgeEntry, '--listen', `127.0.0.1:${listenPort}`, '--state-dir', join(dir, 'edge'), '--take-over'],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
}

function nextMessage(child: ChildProcess, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" within 15 s`)), 15_000);
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the successor exited with ${String(code)}`)));
  });
}

/** The predecessor's remaining steps: it lets go of the admin socket, the successor serves it and reports ready. */
async function finishHandover(child: ChildProcess): Promise<void> {
  await nextMessage(child, 'listening');
  child.send({ type: 'admin-released' });
  await nextMessage(child, 'ready');
}

function statusOf(stateDir: string): Promise<{ pid: number; address: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(stateDir, 'admin.sock'), path: '/status' }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(text) as { pid: number; address: string }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Any answer of the router on `port` (no route: its own 404). */
function answerOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'none.test' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('taking over from a predecessor', () => {
  it('takes the plain listener from a predecessor that sends it unannounced', async () => {
    const { server, port } = await listenAnywhere();
    listener = server;
    successor = await startSuccessor(port);
    successor.send({ type: 'traffic' }, server);
    await finishHandover(successor);
    // The predecessor stops accepting; the successor serves the same socket alone.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await statusOf(join(dir ?? '', 'edge'))).toMatchObject({ pid: successor.pid, address: `127.0.0.1:${port}` });
    expect(await answerOn(port)).toBe(404);
  });

  it('binds its own address when the predecessor announces no listener to hand over', async () => {
    const { server, port: newPort } = await listenAnywhere();
    // A free port for the successor: the probe lets go of it first.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    successor = await startSuccessor(newPort);
    successor.send({ type: 'handles', traffic: false, secureTraffic: false });
    await finishHandover(successor);
    expect(await statusOf(join(dir ?? '', 'edge'))).toMatchObject({
      pid: successor.pid,
      address: `127.0.0.1:${newPort}`,
    });
    expect(await answerOn(newPort)).toBe(404);
  });
});
