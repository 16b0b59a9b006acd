/**
 * Stopping on purpose: an ordinary stop of slipwayd (SIGTERM) leaves the apps and the edge serving — they outlive it
 * by design — while `slipway system stop --all` stops every app instance, the edge and slipwayd, through the real CLI.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

/** Alive and not a zombie waiting to be reaped (an orphan's reaper in a container may be slow or absent). */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

describe('stopping slipwayd, and stopping everything', () => {
  let slipwayd: SlipwaydHarness;
  let instancePids: number[] = [];
  let edgePid = 0;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'keeper' });
    const { deployment } = await slipwayd.api.deployments.create('keeper', { path: join(fixturesDir, 'hello-node') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('keeper.localhost')).status).toBe(200));
    instancePids = slipwayd.instancePids();
    edgePid = Number((await readFile(join(slipwayd.dataDir, 'edge', 'edge.pid'), 'utf8')).trim());
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('keeps the apps and the edge serving when slipwayd alone stops', async () => {
    expect(instancePids.length).toBeGreaterThan(0);
    expect(await slipwayd.kill('SIGTERM')).toBe(0);
    expect(instancePids.filter(isRunning)).toEqual(instancePids);
    expect(isRunning(edgePid)).toBe(true);
    expect((await slipwayd.edge('keeper.localhost')).status).toBe(200);
  });

  it('stops every app instance, the edge and slipwayd with slipway system stop --all', async () => {
    await slipwayd.start();
    const slipwaydPid = slipwayd.pid ?? 0;
    const stopped = await slipwayd.cli(['system', 'stop', '--all']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain('stopping 1 app instance, the edge and slipwayd');
    expect(stopped.stdout).toContain('stopped: every app instance, the edge and slipwayd');
    await waitFor(() => expect(isRunning(slipwaydPid)).toBe(false), { timeoutMs: 30_000 });
    expect(instancePids.filter(isRunning)).toEqual([]);
    expect(isRunning(edgePid)).toBe(false);
    expect(slipwayd.output).toContain(
      'stop requested over the API, stopping every app instance, the edge and slipwayd',
    );
  });

  it('brings the apps back on the next start: the desired state was kept', async () => {
    await slipwayd.start();
    await waitFor(async () => expect((await slipwayd.edge('keeper.localhost')).status).toBe(200), {
      timeoutMs: 30_000,
    });
  });
});
