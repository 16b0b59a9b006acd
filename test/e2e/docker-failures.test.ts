/**
 * What goes wrong with containers ends in a `failed` deployment with a coded reason, the stable release keeps
 * serving, and nothing is left behind: after each case the engine holds exactly the stable release's container and
 * the project's network. The engine itself going away mid-deploy is played by cutting the socket slipwayd reaches it
 * through.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTestEngine, listDockerObjectsLabelled, waitFor, skipUnless } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const engine = dockerTestEngine();

describe('docker runtime: failures end in a coded failure and leave nothing behind', skipUnless(engine), () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;
  let proxy: EngineProxy;

  const expectOnlyStable = async (): Promise<void> => {
    await waitFor(
      async () => {
        const objects = listDockerObjectsLabelled(slipwayd.namespaceLabel() ?? 'slipway.namespace=none');
        expect(objects.containers).toHaveLength(1);
        expect(objects.networks).toHaveLength(1);
        expect((await slipwayd.api.instances.list('stable')).instances.map((i) => i.releaseNumber)).toEqual([1]);
      },
      { timeoutMs: 30_000 },
    );
    expect((await slipwayd.edge('stable.localhost')).body).toMatch(/^hello from release 1 /);
  };
  const deployDir = async (name: string, files: Record<string, string>): Promise<string> => {
    const dir = join(scratch, name);
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    return dir;
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-docker-failures-'));
    proxy = await startEngineProxy(join(scratch, 'engine.sock'));
    slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    await slipwayd.start({ args: ['--docker-host', `unix://${proxy.path}`] });
    await slipwayd.api.apps.create({ name: 'stable' });
    const { deployment } = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-docker') });
    expect(await slipwayd.settle(deployment.id, 120_000)).toMatchObject({ state: 'succeeded' });
    await waitFor(async () => expect((await slipwayd.edge('stable.localhost')).status).toBe(200));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await proxy.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('fails an image that does not exist with IMAGE_NOT_FOUND', async () => {
    const { deployment } = await slipwayd.api.deployments.create('stable', { image: 'local/does-not-exist:never' });
    const settled = await slipwayd.settle(deployment.id);

    expect(settled.failure).toMatchObject({ phase: 'build', code: 'IMAGE_NOT_FOUND' });
    expect(settled.failure?.reason).toContain('local/does-not-exist:never');
    await expectOnlyStable();
  });

  it('fails a Dockerfile that fails at a step with BUILD_FAILED naming the step', async () => {
    const { deployment } = await slipwayd.api.deployments.create('stable', {
      path: join(fixturesDir, 'docker-build-fails'),
    });
    const settled = await slipwayd.settle(deployment.id, 120_000);

    expect(settled.failure).toMatchObject({ phase: 'build', code: 'BUILD_FAILED' });
    expect(settled.failure?.reason).toMatch(/step 3\/\d+/i);
    await expectOnlyStable();
  });

  it('fails a container that exits at once, retiring its instances', async () => {
    const dir = await deployDir('exits-at-once', {
      Dockerfile: 'FROM local/busybox:latest\nCMD ["sh", "-c", "echo giving up; exit 3"]\n',
      'slipway.yaml': 'processes:\n  web:\n    healthCheck:\n      type: tcp\n      startPeriodSeconds: 5\n',
    });
    const { deployment } = await slipwayd.api.deployments.create('stable', { path: dir });
    const settled = await slipwayd.settle(deployment.id, 120_000);

    expect(settled.state).toBe('failed');
    expect(['CRASH_LOOP', 'HEALTH_CHECK_FAILED', 'PROGRESS_DEADLINE_EXCEEDED']).toContain(settled.failure?.code);
    await expectOnlyStable();
  });

  it('fails limits the engine refuses with RESOURCE_LIMITS_INVALID', async () => {
    const { deployment } = await slipwayd.api.deployments.create('stable', {
      path: join(fixturesDir, 'hello-docker'),
      manifest: { resources: { cpus: 512 } },
    });
    const settled = await slipwayd.settle(deployment.id, 120_000);

    expect(settled.failure).toMatchObject({ phase: 'rollout', code: 'RESOURCE_LIMITS_INVALID' });
    await expectOnlyStable();
  });

  it('fails a deployment while the engine is away, keeps serving, and recovers when it is back', async () => {
    proxy.cut();
    const { deployment } = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-docker') });
    const settled = await slipwayd.settle(deployment.id, 120_000);
    for (let n = 0; n < 10; n += 1) expect((await slipwayd.edge('stable.localhost')).status).toBe(200);
    proxy.restore();

    expect(settled.failure).toMatchObject({ phase: 'build', code: 'RUNTIME_UNAVAILABLE' });
    await expectOnlyStable();
    const again = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-docker') });
    expect(await slipwayd.settle(again.deployment.id, 120_000)).toMatchObject({ state: 'succeeded' });
  });

  it('finishes a rollout whose engine goes away mid-way without a failed request, stopping the old container once it is back', async () => {
    // Held for a moment after the rollout's first step (the new instance started), while the engine is cut.
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({
      args: ['--docker-host', `unix://${proxy.path}`],
      env: { SLIPWAY_FAILPOINTS: 'rollout:step=1*sleep(4000)->off' },
    });
    const before = (await slipwayd.api.instances.list('stable')).instances;
    const mark = slipwayd.output.length;
    const load = slipwayd.pollEdge('stable.localhost', { intervalMs: 10 });

    const { deployment } = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-docker') });
    await waitFor(() => expect(slipwayd.output.slice(mark)).toContain('"failpoint":"rollout:step"'), {
      timeoutMs: 120_000,
    });
    proxy.cut();
    const settled = await slipwayd.settle(deployment.id, 120_000);
    const during = await load.stop();
    proxy.restore();

    expect(settled, JSON.stringify(settled.failure)).toMatchObject({ state: 'succeeded' });
    expect(during.failures, during.samples.join('; ')).toBe(0);
    await waitFor(
      async () => {
        const instances = (await slipwayd.api.instances.list('stable')).instances;
        expect(instances.map((i) => i.releaseNumber)).toEqual([settled.releaseNumber]);
        expect(instances.map((i) => i.id)).not.toContain(before[0]?.id);
        const objects = listDockerObjectsLabelled(slipwayd.namespaceLabel() ?? 'slipway.namespace=none');
        expect(objects.containers).toHaveLength(1);
        expect(objects.networks).toHaveLength(1);
      },
      { timeoutMs: 60_000 },
    );
  });
});

interface EngineProxy {
  readonly path: string;
  /** Refuses new connections and drops the open ones, as an engine that stopped would. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A unix socket that passes bytes to the real engine's socket, until cut. */
async function startEngineProxy(path: string): Promise<EngineProxy> {
  let isCut = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = createConnection('/var/run/docker.sock');
    open.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    cut() {
      isCut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      isCut = false;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
