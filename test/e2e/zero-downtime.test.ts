/**
 * Zero downtime, proven from outside: constant keep-alive load through the edge while slipwayd rolls out new
 * releases, retires instances and rolls back. Every request must succeed; the test counts, never times.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { startLoad } from './load-generator.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('rolling deploys under load', () => {
  let slipwayd: SlipwaydHarness;
  let v1: string;
  let v2: string;

  const variant = async (message: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), `slipway-zd-${message}-`));
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
    const { deployment } = await slipwayd.api.deployments.create('busy', { path });
    return slipwayd.settle(deployment.id);
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    v1 = await variant('v1');
    v2 = await variant('v2');
    await slipwayd.api.apps.create({ name: 'busy' });
    expect((await deploy(v1)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('busy.localhost')).body).toContain('release v1'));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await Promise.all([v1, v2].map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('drops no request while rolling out new releases and rolling back, with 20 keep-alive connections', async () => {
    const load = startLoad({ port: slipwayd.edgePort, host: 'busy.localhost', connections: 20 });
    try {
      await waitFor(() => expect(load.counts().ok).toBeGreaterThan(100));
      expect((await deploy(v2)).state).toBe('succeeded');
      await waitFor(async () => expect((await slipwayd.edge('busy.localhost')).body).toContain('release v2'));
      expect((await deploy(v1)).state).toBe('succeeded');
      const { deployment } = await slipwayd.api.releases.rollback('busy', {});
      expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
      const sentBefore = load.counts().sent;
      await waitFor(() => expect(load.counts().sent).toBeGreaterThan(sentBefore + 100));
    } finally {
      const counts = await load.stop();
      expect({ failedByStatus: counts.failedByStatus, errors: counts.errors }).toEqual({
        failedByStatus: {},
        errors: {},
      });
      expect(counts.ok).toBe(counts.sent);
    }
  });

  it('serves the old release until the new one is healthy when the new one never becomes healthy', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'slipway-zd-broken-'));
    await cp(join(fixturesDir, 'never-healthy'), broken, { recursive: true });
    const load = startLoad({ port: slipwayd.edgePort, host: 'busy.localhost', connections: 10 });
    try {
      await waitFor(() => expect(load.counts().ok).toBeGreaterThan(50));
      const settled = await deploy(broken);
      expect(settled).toMatchObject({ state: 'failed', failure: { code: 'HEALTH_CHECK_FAILED' } });
    } finally {
      const counts = await load.stop();
      await rm(broken, { recursive: true, force: true });
      expect({ failedByStatus: counts.failedByStatus, errors: counts.errors }).toEqual({
        failedByStatus: {},
        errors: {},
      });
    }
  });
});
