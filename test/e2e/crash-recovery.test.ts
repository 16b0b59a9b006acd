/**
 * slipwayd killed with SIGKILL in the middle of a deployment, at each phase: a failpoint (SLIPWAY_FAILPOINTS) holds
 * the deployment at the phase, slipwayd is killed, and a slipwayd started without the failpoint must finish it —
 * release N+1 current, no release lost or skipped, only its instances left — while the edge answers every request.
 *
 * Every phase resumes to `succeeded`: fetch and build are redone (their output is in the dead process's memory),
 * release resumes once its record exists and is redone from fetch before that, rollout is level-based and picks up
 * the instances it finds, finalize is one transaction and is simply run again. Failing the deployment would be the
 * wrong answer here: nothing about the release is bad, only the control plane died.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const host = 'hello.localhost';

describe('crash recovery: slipwayd killed with SIGKILL at each phase of a deployment', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;
  let released = 1;

  /** hello-node answering `hello from release v<n>`. */
  const sourceFor = async (n: number): Promise<string> => {
    const dir = join(scratch, `v${n}`);
    await cp(join(fixturesDir, 'hello-node'), dir, { recursive: true });
    const server = await readFile(join(dir, 'server.js'), 'utf8');
    await writeFile(join(dir, 'server.js'), server.replace(/'v1'/g, `'v${n}'`));
    return dir;
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-crash-'));
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'hello' });
    const { deployment } = await slipwayd.api.deployments.create('hello', { path: await sourceFor(1) });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    { point: 'start:fetch', phase: 'fetch' },
    { point: 'start:build', phase: 'build' },
    { point: 'start:release', phase: 'release' },
    { point: 'release:promoted', phase: 'release' },
    { point: 'rollout:step', phase: 'rollout' },
    { point: 'end:finalize', phase: 'finalize' },
  ] as const)(
    'killed at $point, the restarted slipwayd finishes the deployment',
    async ({ point, phase }) => {
      const n = released + 1;
      const source = await sourceFor(n);
      await slipwayd.kill('SIGTERM');
      await slipwayd.start({ env: { SLIPWAY_FAILPOINTS: `${point}=pause` } });
      const load = slipwayd.pollEdge(host);
      const mark = slipwayd.output.length;

      const { deployment } = await slipwayd.api.deployments.create('hello', { path: source });
      await waitFor(() => expect(slipwayd.output.slice(mark)).toContain(`"failpoint":"${point}"`), {
        timeoutMs: 30_000,
      });
      expect(await slipwayd.api.deployments.get(deployment.id)).toMatchObject({ state: 'running', phase });
      await slipwayd.kill('SIGKILL');
      await slipwayd.start();

      const settled = await slipwayd.settle(deployment.id);
      expect(settled, JSON.stringify(settled.failure)).toMatchObject({ state: 'succeeded', releaseNumber: n });
      released = n;
      const { releases } = await slipwayd.api.releases.list('hello');
      expect(releases.map((r) => r.number)).toEqual(Array.from({ length: n }, (_, i) => n - i));
      expect(releases.filter((r) => r.isCurrent).map((r) => r.number)).toEqual([n]);
      await waitFor(
        async () => {
          const { instances } = await slipwayd.api.instances.list('hello');
          expect(instances.map((i) => [i.releaseNumber, i.state])).toEqual([[n, 'healthy']]);
          expect((await slipwayd.edge(host)).body).toContain(`hello from release v${n}`);
        },
        { timeoutMs: 20_000 },
      );
      const traffic = await load.stop();
      expect(traffic.requests).toBeGreaterThan(10);
      expect(traffic.samples).toEqual([]);
      expect(traffic.failures).toBe(0);
    },
    120_000,
  );
});
