/**
 * A container runtime (Docker, or Swarm services) end to end, through a real slipwayd and the real CLI on the real
 * engine: a Dockerfile built and served on `<app>.localhost`, a rolling deploy under load with no failed request,
 * instances that outlive a `kill -9` of slipwayd and are re-adopted, a memory limit enforced and reported, and prune
 * keeping what a retained release needs. Run by `docker-runtime.test.ts` and `swarm-runtime.test.ts`.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTestEngine, listDockerObjectsLabelled, swarmTestEngine, waitFor, skipUnless } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

export function describeContainerRuntime(runtime: 'docker' | 'swarm'): void {
  const engine = runtime === 'swarm' ? swarmTestEngine() : dockerTestEngine();

  describe(`${runtime} runtime, end to end`, skipUnless(engine), () => {
    let slipwayd: SlipwaydHarness;
    let scratch: string;

    /** A copy of a fixture that runs on this runtime; hello-docker answering `hello v<n> from release …` for n > 1. */
    const sourceFor = async (fixture: string, n = 1): Promise<string> => {
      const dir = join(scratch, `${fixture}-v${n}`);
      await cp(join(fixturesDir, fixture), dir, { recursive: true });
      const manifest = await readFile(join(dir, 'slipway.yaml'), 'utf8');
      await writeFile(join(dir, 'slipway.yaml'), `runtime: ${runtime}\n${manifest}`);
      if (n > 1) {
        const server = await readFile(join(dir, 'server.js'), 'utf8');
        await writeFile(join(dir, 'server.js'), server.replace('`hello from release', `\`hello v${n} from release`));
      }
      return dir;
    };
    /** Containers of the docker runtime, services of the swarm runtime. */
    const instancesOnEngine = (): string[] => {
      const objects = listDockerObjectsLabelled(slipwayd.namespaceLabel() ?? 'slipway.namespace=none');
      return runtime === 'docker' ? objects.containers : objects.services;
    };

    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), `slipway-${runtime}-e2e-`));
      slipwayd = await SlipwaydHarness.create({ containers: runtime });
      await slipwayd.start();
    });

    afterAll(async () => {
      await slipwayd.destroy();
      await rm(scratch, { recursive: true, force: true });
    });

    it('builds an app from its Dockerfile with the CLI and serves it on <app>.localhost', async () => {
      expect((await slipwayd.cli(['apps', 'create', 'web'])).code).toBe(0);

      const deployed = await slipwayd.cli(['deploy', 'web', '--path', await sourceFor('hello-docker')]);

      expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
      expect(deployed.stdout).toMatch(/Step \d+\/\d+ : COPY server.js/);
      await waitFor(async () => expect((await slipwayd.edge('web.localhost')).body).toMatch(/^hello from release 1 /));
      const { releases } = await slipwayd.api.releases.list('web');
      expect(releases[0]).toMatchObject({ number: 1, builder: 'dockerfile' });
      expect(releases[0]?.image?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const ps = await slipwayd.cli(['ps', 'web']);
      expect(ps.stdout).toMatch(new RegExp(`healthy\\s+${runtime}\\s`));
      expect(instancesOnEngine()).toHaveLength(1);
    });

    it('rolls out a new release under load without a failed request, and leaves only its containers', async () => {
      await slipwayd.api.apps.scale('web', { processes: { web: 2 } });
      await waitFor(
        async () =>
          expect(
            (await slipwayd.api.instances.list('web')).instances.filter((i) => i.state === 'healthy'),
          ).toHaveLength(2),
        {
          timeoutMs: 60_000,
        },
      );
      const load = slipwayd.pollEdge('web.localhost', { intervalMs: 5 });

      const { deployment } = await slipwayd.api.deployments.create('web', { path: await sourceFor('hello-docker', 2) });
      const settled = await slipwayd.settle(deployment.id, 180_000);
      await waitFor(async () =>
        expect((await slipwayd.edge('web.localhost')).body).toMatch(/^hello v2 from release 2 /),
      );
      const result = await load.stop();

      expect(settled, JSON.stringify(settled.failure)).toMatchObject({ state: 'succeeded', releaseNumber: 2 });
      expect(result.requests).toBeGreaterThan(50);
      expect(result.failures, result.samples.join('; ')).toBe(0);
      await waitFor(() => expect(instancesOnEngine()).toHaveLength(2), { timeoutMs: 30_000 });
    });

    it('leaves the containers serving when slipwayd is killed with SIGKILL, and re-adopts them', async () => {
      // The serving ones: an old release's instance may still be on its way out (a swarm service stops slowly).
      const before = (await slipwayd.api.instances.list('web')).instances.filter((i) => i.state === 'healthy');
      expect(before).toHaveLength(2);
      const load = slipwayd.pollEdge('web.localhost', { intervalMs: 10 });

      await slipwayd.kill('SIGKILL');
      // While no control plane runs, the edge keeps sending requests to the containers.
      for (let n = 0; n < 20; n += 1) expect((await slipwayd.edge('web.localhost')).status).toBe(200);
      await slipwayd.start();
      await waitFor(async () => {
        const after = (await slipwayd.api.instances.list('web')).instances;
        expect(
          after
            .filter((i) => i.state === 'healthy')
            .map((i) => i.id)
            .sort(),
        ).toEqual(before.map((i) => i.id).sort());
      });
      const result = await load.stop();

      expect(result.failures, result.samples.join('; ')).toBe(0);
      const after = (await slipwayd.api.instances.list('web')).instances;
      expect(after.map((i) => ({ id: i.id, restarts: i.restarts, pid: i.pid }))).toEqual(
        before.map((i) => ({ id: i.id, restarts: i.restarts, pid: i.pid })),
      );
      expect(instancesOnEngine()).toHaveLength(2);
    });

    it('enforces a memory limit: an instance over it is OOM-killed, reported, and restarted', async () => {
      expect((await slipwayd.cli(['apps', 'create', 'hog'])).code).toBe(0);
      const deployed = await slipwayd.cli(['deploy', 'hog', '--path', await sourceFor('memory-hog-docker')]);
      expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
      const [instance] = (await slipwayd.api.instances.list('hog')).instances;
      expect(instance?.limits).toEqual({ memoryBytes: 64 * 1024 * 1024 });
      // What it uses now, against its limit, as the engine measures it.
      expect(instance?.usage?.memoryBytes).toBeGreaterThan(0);
      expect(instance?.usage?.memoryLimitBytes).toBe(64 * 1024 * 1024);
      const status = await slipwayd.cli(['status']);
      expect(status.stdout).toMatch(new RegExp(`hog\\s+production\\s+v1\\s+${runtime}\\s+mem 64.0 MiB`));

      await slipwayd.edge('hog.localhost', '/hog');

      const killed = await waitFor(
        async () => {
          const [current] = (await slipwayd.api.instances.list('hog')).instances;
          expect(current).toMatchObject({ lastExitReason: 'oom-killed', lastExitCode: 137 });
          return current;
        },
        { timeoutMs: 60_000 },
      );
      expect(killed?.id).toBe(instance?.id);
      const ps = await slipwayd.cli(['ps', 'hog']);
      expect(ps.stdout).toMatch(/mem 64.0 MiB/);
      expect(ps.stdout).toMatch(/last exit 137, OOM-killed/);
      await waitFor(async () => expect((await slipwayd.edge('hog.localhost')).status).toBe(200), { timeoutMs: 60_000 });
    });

    it('keeps the images retained releases run when pruning, so a rollback still finds its image', async () => {
      const pruned = await slipwayd.cli(['images', 'prune']);
      expect(pruned.code, pruned.stderr).toBe(0);
      const rollback = await slipwayd.cli(['rollback', 'web']);
      expect(rollback.code, rollback.stderr + rollback.stdout).toBe(0);
      await waitFor(async () => expect((await slipwayd.edge('web.localhost')).body).toMatch(/^hello from release 1 /));
    });
  });
}
