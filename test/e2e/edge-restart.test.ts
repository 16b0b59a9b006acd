/**
 * A graceful restart of the edge router, proven from outside: constant keep-alive load through the edge while the
 * running router hands its listening socket to a successor (SIGUSR2) and drains. Every request must succeed, and
 * slipwayd keeps driving the successor. The test counts, never times.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { startLoad } from './load-generator.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('restarting the edge router under load', () => {
  let slipwayd: SlipwaydHarness;
  const dirs: string[] = [];

  const variant = async (message: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), `slipway-edge-restart-${message}-`));
    dirs.push(dir);
    await cp(join(fixturesDir, 'hello-node'), dir, { recursive: true });
    const server = await readFile(join(dir, 'server.js'), 'utf8');
    await writeFile(join(dir, 'server.js'), server.replace(/'v1'/g, `'${message}'`));
    await writeFile(
      join(dir, 'slipway.yaml'),
      'processes:\n  web:\n    replicas: 2\n    healthCheck: { type: http, path: /healthz, intervalSeconds: 1 }\nstrategy: { type: rolling, maxSurge: 1, maxUnavailable: 0 }\n',
    );
    return dir;
  };

  const deploy = async (path: string) => {
    const { deployment } = await slipwayd.api.deployments.create('steady', { path });
    return slipwayd.settle(deployment.id);
  };

  const edgePid = async (): Promise<number> =>
    Number.parseInt(await readFile(join(slipwayd.dataDir, 'edge', 'edge.pid'), 'utf8'), 10);

  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'steady' });
    expect((await deploy(await variant('v1'))).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('steady.localhost')).body).toContain('release v1'));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('drops no request while the router hands over to its successor, which slipwayd then drives', async () => {
    const load = startLoad({ port: slipwayd.edgePort, host: 'steady.localhost', connections: 20 });
    try {
      await waitFor(() => expect(load.counts().ok).toBeGreaterThan(200));
      const oldPid = await edgePid();

      process.kill(oldPid, 'SIGUSR2');
      await waitFor(async () => expect(await edgePid()).not.toBe(oldPid), { timeoutMs: 30_000 });
      const newPid = await edgePid();
      await waitFor(() => expect(isAlive(oldPid)).toBe(false), { timeoutMs: 30_000 });
      expect(isAlive(newPid)).toBe(true);

      // The successor serves the load alone now, and takes the tables of the next rollout.
      const sentAfterHandover = load.counts().sent;
      await waitFor(() => expect(load.counts().sent).toBeGreaterThan(sentAfterHandover + 200));
      expect((await deploy(await variant('v2'))).state).toBe('succeeded');
      await waitFor(async () => expect((await slipwayd.edge('steady.localhost')).body).toContain('release v2'));
      expect(await edgePid()).toBe(newPid);
    } finally {
      const counts = await load.stop();
      expect({ failedByStatus: counts.failedByStatus, errors: counts.errors }).toEqual({
        failedByStatus: {},
        errors: {},
      });
      expect(counts.ok).toBe(counts.sent);
    }
  });
});
