/**
 * The controller stays live against a real slipwayd whatever its Docker Engine does: an engine that accepts
 * connections and never answers (played by a proxy on its socket that stalls) holds up only the docker runtime's
 * pass, so a killed process instance is still restarted and the API answers; and a slipwayd restarted with no engine
 * at all, with an instance on docker left crashed, stays up (its restart fails, logged, and nothing rejects unhandled).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@slipway/adapters';
import { dockerTestEngine, skipUnless, waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const engine = dockerTestEngine();

/** A zombie counts as gone: it has exited, and on some machines no init reaps it once its parent is gone. */
const isAlive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('control loop liveness with a Docker Engine that hangs or is gone', skipUnless(engine), () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;
  let proxy: StallingEngineProxy;
  /** Long enough that no docker call ends by its deadline while a test runs: only the separate passes can help. */
  const engineArgs = (): string[] => ['--docker-host', `unix://${proxy.path}`, '--runtime-call-timeout-ms', '600000'];

  const onlyInstance = async (app: string) => {
    const { instances } = await slipwayd.api.instances.list(app);
    expect(instances).toHaveLength(1);
    const [instance] = instances;
    if (!instance) throw new Error(`no instance of ${app}`);
    return instance;
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-liveness-'));
    proxy = await startStallingEngineProxy(join(scratch, 'engine.sock'));
    slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    await slipwayd.start({ args: engineArgs() });
    await slipwayd.api.apps.create({ name: 'proc' });
    await slipwayd.api.apps.create({ name: 'boxed' });
    for (const [app, fixture] of [
      ['proc', 'hello-node'],
      ['boxed', 'hello-docker'],
    ] as const) {
      const { deployment } = await slipwayd.api.deployments.create(app, { path: join(fixturesDir, fixture) });
      expect(await slipwayd.settle(deployment.id, 120_000)).toMatchObject({ state: 'succeeded' });
    }
  });

  afterAll(async () => {
    proxy.pass();
    await slipwayd.destroy();
    await proxy.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('restarts a killed process instance while every call to the engine hangs, and answers its API', async () => {
    const before = await onlyInstance('proc');
    expect(before).toMatchObject({ state: 'healthy', restarts: 0 });
    proxy.stall();
    // The docker pass is stuck on the engine.
    await waitFor(() => expect(proxy.stalledRequests).toBeGreaterThan(0));

    process.kill(before.pid ?? 0, 'SIGKILL');

    const after = await waitFor(
      async () => {
        const instance = await onlyInstance('proc');
        expect(instance).toMatchObject({ id: before.id, state: 'healthy', restarts: 1 });
        return instance;
      },
      { timeoutMs: 60_000 },
    );
    expect(after.pid).not.toBe(before.pid);
    // Still stalled: the restart did not wait for the engine.
    expect(proxy.isStalled).toBe(true);
    expect((await slipwayd.api.apps.list()).apps.map((a) => a.name).sort()).toEqual(['boxed', 'proc']);
    expect((await slipwayd.edge('proc.localhost')).status).toBe(200);
    proxy.pass();
  });

  it('stays up when restarted with no engine while an instance on docker is left crashed', async () => {
    const boxed = await onlyInstance('boxed');
    await slipwayd.kill('SIGTERM');
    // Left crashed and due for its restart, as when the engine went away just as its container died.
    const store = await createSqliteStore({ file: join(slipwayd.dataDir, 'slipway.db') });
    const record = await store.instances.findById(boxed.id);
    if (!record) throw new Error(`no record of ${boxed.id}`);
    await store.instances.update({ ...record, state: 'crashed', pid: null, restartAfterMs: 0 });
    await store.close();
    const mark = slipwayd.output.length;

    // No engine answers at start (`auto`): slipwayd runs without the docker runtime.
    await slipwayd.start({ args: ['--docker', 'auto', '--docker-host', `unix://${join(scratch, 'no-engine.sock')}`] });

    await waitFor(() => expect(slipwayd.output.slice(mark)).toContain('instance restart failed'), {
      timeoutMs: 30_000,
    });
    // Passes go on: the process app is still converged and served, and the API answers.
    const proc = await onlyInstance('proc');
    expect(proc.state).toBe('healthy');
    expect((await slipwayd.edge('proc.localhost')).status).toBe(200);
    expect((await onlyInstance('boxed')).state).toBe('crashed');
    expect(isAlive(slipwayd.pid ?? 0)).toBe(true);
    const log = slipwayd.output.slice(mark);
    expect(log).not.toMatch(/unhandled|uncaught/i);
    expect(log).toContain('RUNTIME_UNAVAILABLE');
  });
});

interface StallingEngineProxy {
  readonly path: string;
  /** Requests sent to the engine while stalled (each connection's bytes count once it sends any). */
  readonly stalledRequests: number;
  readonly isStalled: boolean;
  /**
   * From now on the engine accepts and never answers: new connections are accepted and read but never forwarded,
   * and open ones forward nothing either way — the engine hangs, it does not refuse.
   */
  stall(): void;
  /** Passes bytes again; connections that stalled are dropped (their requests fail, as after an engine restart). */
  pass(): void;
  close(): Promise<void>;
}

/** A unix socket that passes bytes to the real engine's socket, or stalls every request. */
async function startStallingEngineProxy(path: string): Promise<StallingEngineProxy> {
  let isStalled = false;
  let stalledRequests = 0;
  const open = new Set<Socket>();
  const stalled = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    const upstream = createConnection('/var/run/docker.sock');
    open.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      stalled.delete(client);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (isStalled) {
        if (!stalled.has(client)) stalledRequests += 1;
        stalled.add(client);
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (isStalled) return;
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    get stalledRequests() {
      return stalledRequests;
    },
    get isStalled() {
      return isStalled;
    },
    stall() {
      isStalled = true;
    },
    pass() {
      isStalled = false;
      for (const socket of stalled) socket.destroy();
      stalled.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
