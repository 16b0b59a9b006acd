/**
 * Graceful shutdown: SIGTERM to slipwayd in the middle of a slow build checkpoints the deployment (the build's
 * process group is killed, the job goes back to the queue), refuses API writes, ends open event streams and exits 0
 * within its bound; the next slipwayd redoes the build and finishes the deployment. The edge serves throughout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSlipwayError, type DeploymentEvent } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const host = 'slow.localhost';

/** A zombie counts as gone: it has exited, and on some machines no init reaps it once its parent is gone. */
const isAlive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
};

/**
 * The host pids of the build step that calls itself `innerPid`: a sandboxed build has its own pid namespace, so the pid
 * it prints is the last of its `NSpid` (and, unsandboxed, the only one).
 */
const buildProcesses = (innerPid: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const nsPids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]?.split(/\s+/) ?? [];
        const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        return nsPids.at(-1) === String(innerPid) && cmdline.includes('build.js');
      } catch {
        return false;
      }
    })
    .map(Number);

describe('graceful shutdown of slipwayd in the middle of a build', () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'slow' });
    const { deployment } = await slipwayd.api.deployments.create('slow', { path: join(fixturesDir, 'hello-node') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200));
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('checkpoints the build on SIGTERM, exits 0, and the next slipwayd resumes the deployment to success', async () => {
    const load = slipwayd.pollEdge(host);
    const { deployment } = await slipwayd.api.deployments.create('slow', { path: join(fixturesDir, 'slow-build') });
    // An open event stream, as `slipway deploy` holds one: it must not keep slipwayd from exiting.
    const events: DeploymentEvent[] = [];
    const stream = (async () => {
      for await (const event of slipwayd.api.deployments.events(deployment.id)) events.push(event);
    })().catch(() => undefined);
    const lines = (): string[] => events.flatMap((e) => (e.type === 'log' ? [e.line] : []));
    await waitFor(() => expect(lines().some((l) => l.includes('slow-build: step 1/'))).toBe(true), {
      timeoutMs: 30_000,
    });
    const buildPid = Number(/slow-build: building in .* \(pid (\d+)\)/.exec(lines().join('\n'))?.[1]);
    const buildPids = buildProcesses(buildPid);
    expect(buildPids).toHaveLength(1);
    expect(buildPids.every(isAlive)).toBe(true);

    const exited = slipwayd.kill('SIGTERM');
    // Once it reports not ready it is shutting down: from then on a write is refused, never accepted.
    await waitFor(
      async () => {
        const ready = await fetch(`${slipwayd.url}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        expect(ready).not.toBe(200);
      },
      { intervalMs: 10 },
    );
    const late = await slipwayd.api.apps.create({ name: 'late' }).then(
      () => 'accepted',
      (error: unknown) => (isSlipwayError(error) ? error.code : 'no answer'),
    );
    expect(['SHUTTING_DOWN', 'UNAVAILABLE', 'no answer']).toContain(late);
    expect(await exited).toBe(0);
    await stream;
    expect(buildPids.filter(isAlive)).toEqual([]);

    await slipwayd.start();
    const settled = await slipwayd.settle(deployment.id);
    expect(settled).toMatchObject({ state: 'succeeded', releaseNumber: 2 });
    expect(settled.phases.filter((p) => p.phase === 'build').map((p) => p.state)).toEqual(['succeeded']);
    const all: DeploymentEvent[] = [];
    for await (const event of slipwayd.api.deployments.events(deployment.id)) all.push(event);
    expect(all.flatMap((e) => (e.type === 'log' ? [e.line] : []))).toContain(
      'resuming after an interruption in build: redoing from fetch',
    );
    await waitFor(async () => expect((await slipwayd.edge(host)).body).toContain('slow-build built at'));
    const { instances } = await slipwayd.api.instances.list('slow');
    expect(instances.map((i) => [i.releaseNumber, i.state])).toEqual([[2, 'healthy']]);
    expect((await slipwayd.api.apps.list()).apps.map((a) => a.name)).toEqual(['slow']);
    const traffic = await load.stop();
    expect(traffic.samples).toEqual([]);
    expect(traffic.failures).toBe(0);
  }, 120_000);
});
