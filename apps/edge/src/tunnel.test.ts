import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  removeDir,
  routeTo,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestEdgeOptions,
} from './edge-test-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An upstream that accepts any upgrade, reports the request head it got, then echoes bytes upper-cased. */
async function upperCaseEchoUpstream() {
  const heads: Record<string, string | string[] | undefined>[] = [];
  const tunnels: Socket[] = [];
  const upstream = await startUpstream('ws');
  upstream.server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    heads.push(req.headers);
    tunnels.push(socket);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n');
    if (head.length > 0) socket.write(head.toString().toUpperCase());
    socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
    socket.on('end', () => socket.end());
  });
  cleanups.push(() => upstream.close());
  return { upstream, heads, tunnels };
}

async function edgeWith(...routes: Parameters<typeof routeTo>[]): Promise<TestEdge> {
  return edgeWithOptions({}, ...routes);
}

async function edgeWithOptions(
  options: Omit<TestEdgeOptions, 'table'>,
  ...routes: Parameters<typeof routeTo>[]
): Promise<TestEdge> {
  const edge = await startTestEdge({ ...options, table: { routes: routes.map((args) => routeTo(...args)) } });
  cleanups.push(async () => {
    await edge.close();
    await removeDir(edge.stateDir);
  });
  return edge;
}

/** Sends an upgrade request on a raw socket; resolves with the socket and the response head once it has arrived. */
function openUpgrade(
  port: number,
  host: string,
): Promise<{ socket: Socket; head: string; rest: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    cleanups.push(async () => {
      socket.destroy();
    });
    let buffered = '';
    socket.on('error', reject);
    socket.write(`GET /socket HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n`);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const head = buffered.slice(0, end);
      let rest = buffered.slice(end + 4);
      const rest$ = (): Promise<string> =>
        new Promise((resolveRest) => {
          if (rest !== '') {
            const now = rest;
            rest = '';
            resolveRest(now);
            return;
          }
          socket.once('data', (next: Buffer) => resolveRest(next.toString()));
        });
      resolve({ socket, head, rest: rest$ });
    };
    socket.on('data', onData);
  });
}

describe('passing upgrades through', () => {
  it('switches protocols and carries bytes both ways', async () => {
    const { upstream, heads } = await upperCaseEchoUpstream();
    const edge = await edgeWith(['ws.test', '/', [upstream.asUpstream()]]);
    const { socket, head, rest } = await openUpgrade(edge.port, 'ws.test');
    expect(head).toMatch(/^HTTP\/1\.1 101/);

    socket.write('hello');
    expect(await rest()).toBe('HELLO');
    socket.write('again');
    expect(await rest()).toBe('AGAIN');

    expect(heads[0]?.upgrade).toBe('shout');
    expect(heads[0]?.['x-forwarded-for']).toBe('127.0.0.1');
    expect(heads[0]?.['x-forwarded-host']).toBe('ws.test');
    expect(heads[0]?.['x-request-id']).toBeDefined();
  });

  it('closes the client side when the upstream ends the tunnel', async () => {
    const { upstream } = await upperCaseEchoUpstream();
    const edge = await edgeWith(['ws.test', '/', [upstream.asUpstream()]]);
    const { socket } = await openUpgrade(edge.port, 'ws.test');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end();
    await closed;
  });

  it('closes a tunnel that carries no byte either way for the tunnel idle timeout, on both sides', async () => {
    const { upstream, tunnels } = await upperCaseEchoUpstream();
    const edge = await edgeWithOptions({ clientTimeouts: { tunnelIdleMs: 200 } }, [
      'ws.test',
      '/',
      [upstream.asUpstream()],
    ]);
    const { socket, head, rest } = await openUpgrade(edge.port, 'ws.test');
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    socket.write('ping');
    expect(await rest()).toBe('PING');
    const upstreamSide = tunnels[0];
    if (upstreamSide === undefined) throw new Error('the upstream saw no tunnel');
    // Neither side sends again: the edge's sweep closes both.
    await Promise.all([
      new Promise<void>((resolve) => socket.once('close', () => resolve())),
      new Promise<void>((resolve) => upstreamSide.once('close', () => resolve())),
    ]);
    expect([socket.destroyed, upstreamSide.destroyed]).toEqual([true, true]);
  });

  it('retries a refused upgrade on another upstream of the route', async () => {
    const { upstream } = await upperCaseEchoUpstream();
    const dead = { instanceId: 'dead', host: '127.0.0.1', port: await closedPort(), releaseNumber: 1, weight: 1 };
    const edge = await edgeWith(['ws.test', '/', [dead, upstream.asUpstream()]]);
    for (let i = 0; i < 2; i += 1) {
      const { head } = await openUpgrade(edge.port, 'ws.test');
      expect(head).toMatch(/^HTTP\/1\.1 101/);
    }
  });

  it('answers an upgrade for an unknown host with 404 and closes', async () => {
    const edge = await edgeWith();
    const { head } = await openUpgrade(edge.port, 'nowhere.test');
    expect(head).toMatch(/^HTTP\/1\.1 404/);
  });

  it('answers an upgrade with 502 when no upstream can be reached', async () => {
    const dead = { instanceId: 'dead', host: '127.0.0.1', port: await closedPort(), releaseNumber: 1, weight: 1 };
    const edge = await edgeWith(['ws.test', '/', [dead]]);
    const { head } = await openUpgrade(edge.port, 'ws.test');
    expect(head).toMatch(/^HTTP\/1\.1 502/);
  });
});
