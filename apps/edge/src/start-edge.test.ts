import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, routeTo, send, startTestEdge, startUpstream } from './edge-test-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('starting and stopping the edge router', () => {
  it('lets an in-flight request finish on shutdown, then refuses new connections', async () => {
    let answer: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await startUpstream('slow', (_req, res) => {
      arrived();
      answer = () => res.end('finished');
    });
    cleanups.push(() => slow.close());
    const edge = await startTestEdge({ table: { routes: [routeTo('slow.test', '/', [slow.asUpstream()])] } });
    cleanups.push(() => removeDir(edge.stateDir));

    const inFlight = send({ port: edge.port, headers: { host: 'slow.test' } });
    await hasArrived;
    const closed = edge.close();
    answer();
    expect(await inFlight).toMatchObject({ statusCode: 200, body: 'finished' });
    await closed;
    await expect(send({ port: edge.port, headers: { host: 'slow.test' } })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('cuts requests still running when the grace period is over', async () => {
    let arrived: () => void = () => undefined;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const stuck = await startUpstream('stuck', () => arrived());
    cleanups.push(() => stuck.close());
    const edge = await startTestEdge({ table: { routes: [routeTo('stuck.test', '/', [stuck.asUpstream()])] } });
    cleanups.push(() => removeDir(edge.stateDir));

    const outcome = new Promise<string>((resolve) => {
      const req = request({ port: edge.port, headers: { host: 'stuck.test' }, agent: false }, () =>
        resolve('answered'),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      req.end();
    });
    // Only a request the upstream already holds is one still running; one not yet accepted would be refused.
    await hasArrived;
    const startedAt = Date.now();
    await edge.close(); // the harness grants 500 ms of grace
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(await outcome).toBe('ECONNRESET');
  });
});
