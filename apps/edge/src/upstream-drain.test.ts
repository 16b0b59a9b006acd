import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { inFlightAnswerSchema, type ErrorBody } from '@slipway/contract';
import {
  echoOf,
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestUpstream,
} from './edge-test-harness.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Polls `check` until it stops throwing (5 s at most). */
async function until(check: () => void | Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await check();
      return;
    } catch (error) {
      if (attempt >= 250) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** An upstream whose answers wait until the test releases them, and which tracks its open connections. */
async function heldUpstream(name: string) {
  const held: ServerResponse[] = [];
  const open = new Set<Socket>();
  const upstream = await startUpstream(name, (_req, res) => {
    held.push(res);
  });
  upstream.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  cleanups.push(() => upstream.close());
  const releaseAll = (): void => {
    for (const res of held.splice(0)) res.end(JSON.stringify({ name }));
  };
  return { upstream, held, open, releaseAll };
}

async function echoUpstream(name: string): Promise<TestUpstream> {
  const upstream = await startUpstream(name);
  cleanups.push(() => upstream.close());
  return upstream;
}

async function edgeWith(upstreams: TestUpstream[]): Promise<TestEdge> {
  const edge = await startTestEdge({
    table: {
      routes: [
        routeTo(
          'drain.test',
          '/',
          upstreams.map((u) => u.asUpstream()),
        ),
      ],
    },
  });
  cleanups.push(async () => {
    await edge.close();
    await removeDir(edge.stateDir);
  });
  return edge;
}

async function inFlight(edge: TestEdge, ids: string): Promise<Record<string, number>> {
  const answer = await edge.admin('GET', `/inflight?ids=${ids}`);
  expect(answer.statusCode).toBe(200);
  return inFlightAnswerSchema.parse(JSON.parse(answer.body)).inFlight;
}

describe('draining an upstream removed from the table', () => {
  it('keeps counting its requests in flight until they finish, and sends it nothing new', async () => {
    const old = await heldUpstream('old');
    const next = await echoUpstream('next');
    const edge = await edgeWith([old.upstream]);

    const slow = send({ port: edge.port, headers: { host: 'drain.test' } });
    await until(() => expect(old.held).toHaveLength(1));
    expect(await inFlight(edge, 'old')).toEqual({ old: 1 });

    expect((await edge.putTable({ routes: [routeTo('drain.test', '/', [next.asUpstream()])] })).statusCode).toBe(200);
    expect(await inFlight(edge, 'old,next,unknown')).toEqual({ old: 1, next: 0, unknown: 0 });
    expect(echoOf(await send({ port: edge.port, headers: { host: 'drain.test' } })).name).toBe('next');
    expect(old.held).toHaveLength(1);

    old.releaseAll();
    expect((await slow).statusCode).toBe(200);
    await until(async () => expect(await inFlight(edge, 'old')).toEqual({ old: 0 }));
  });

  it('closes idle keep-alive sockets to it as soon as it leaves the table', async () => {
    const old = await heldUpstream('old');
    const edge = await edgeWith([old.upstream]);
    const answered = send({ port: edge.port, headers: { host: 'drain.test' } });
    await until(() => expect(old.held).toHaveLength(1));
    old.releaseAll();
    expect((await answered).statusCode).toBe(200);
    // The edge keeps the upstream connection for the next request.
    expect(old.open.size).toBe(1);

    await edge.putTable({ routes: [routeTo('drain.test', '/', [])] });
    await until(() => expect(old.open.size).toBe(0));
  });

  it('closes a busy keep-alive socket to it once its response is complete', async () => {
    const old = await heldUpstream('old');
    const edge = await edgeWith([old.upstream]);
    const answered = send({ port: edge.port, headers: { host: 'drain.test' } });
    await until(() => expect(old.held).toHaveLength(1));

    await edge.putTable({ routes: [routeTo('drain.test', '/', [])] });
    expect(old.open.size).toBe(1);
    old.releaseAll();
    expect((await answered).statusCode).toBe(200);
    await until(() => expect(old.open.size).toBe(0));
    expect(await inFlight(edge, 'old')).toEqual({ old: 0 });
  });

  it('counts an upgraded tunnel as in flight until it closes', async () => {
    const ws = await echoUpstream('ws');
    ws.server.on('upgrade', (_req, socket: Socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
      socket.on('end', () => socket.end());
    });
    const edge = await edgeWith([ws]);
    const { connect } = await import('node:net');
    const client = connect(edge.port, '127.0.0.1');
    client.write('GET / HTTP/1.1\r\nHost: drain.test\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n');
    await new Promise((resolve) => client.once('data', resolve));
    expect(await inFlight(edge, 'ws')).toEqual({ ws: 1 });
    client.destroy();
    await until(async () => expect(await inFlight(edge, 'ws')).toEqual({ ws: 0 }));
  });

  it('refuses an in-flight query without ids with a coded 400', async () => {
    const edge = await edgeWith([]);
    const answer = await edge.admin('GET', '/inflight');
    expect(answer.statusCode).toBe(400);
    expect((JSON.parse(answer.body) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
  });
});
