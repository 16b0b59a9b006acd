/**
 * Cancelling a deployment against a real slipwayd with the real CLI: a git remote that accepts and never answers
 * holds a deployment at fetch with the only build slot; `slipway deployments cancel` ends it `cancelled`, the slot is
 * free for the next app's build, the previous release keeps serving, and the cancel is audited. A slipwayd killed
 * as its run begins to stop (failpoint `cancel:stopping=kill`) ends the deployment `cancelled` on restart.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

/** Polls of the deployment after the cancel, at most: it stops at once, not at a deadline. */
const maxPollsAfterCancel = 50;
const pollIntervalMs = 100;

describe('cancelling a deployment end to end', () => {
  let slipwayd: SlipwaydHarness;
  let silentRemote: Server;
  let remoteUrl: string;
  let connections = 0;

  beforeAll(async () => {
    silentRemote = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
    });
    const port = await new Promise<number>((resolve) =>
      silentRemote.listen(0, '127.0.0.1', () => {
        const address = silentRemote.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      }),
    );
    remoteUrl = `http://127.0.0.1:${port}/repo.git`;
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_BUILD_CONCURRENCY: '1' } });
    for (const name of ['stable', 'other']) await slipwayd.api.apps.create({ name });
    const { deployment } = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-node') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('stable.localhost')).status).toBe(200));
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
    silentRemote.close();
  });

  /** Deploys `stable` from the silent remote and waits until its fetch has connected (and holds the build slot). */
  const deployStalled = async (): Promise<string> => {
    const before = connections;
    const { deployment } = await slipwayd.api.deployments.create('stable', { git: { url: remoteUrl } });
    await waitFor(async () => {
      expect(await slipwayd.api.deployments.get(deployment.id)).toMatchObject({ state: 'running', phase: 'fetch' });
      expect(connections).toBeGreaterThan(before);
    });
    return deployment.id;
  };

  /** Polls until the deployment has ended; returns it with the number of polls it took. */
  const pollUntilEnded = async (id: string): Promise<{ deployment: DeploymentView; polls: number }> => {
    for (let polls = 1; polls <= maxPollsAfterCancel; polls += 1) {
      const deployment = await slipwayd.api.deployments.get(id);
      if (deployment.state !== 'pending' && deployment.state !== 'running') return { deployment, polls };
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
    throw new Error(`deployment ${id} still active after ${maxPollsAfterCancel} polls`);
  };

  const expectStableServing = async () => {
    const answer = await slipwayd.edge('stable.localhost');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('hello from release');
    expect((await slipwayd.api.apps.get('stable')).environments[0]?.currentRelease).toBe(1);
  };

  it('stops a deployment held at fetch by a remote that never answers, and frees the only build slot', async () => {
    const id = await deployStalled();

    const cancel = await slipwayd.cli(['deployments', 'cancel', id]);
    expect(cancel).toMatchObject({ code: 0 });
    expect(cancel.stdout).toContain(id);
    const { deployment } = await pollUntilEnded(id);

    expect(deployment).toMatchObject({ state: 'cancelled', phase: 'fetch', failure: null });
    const who = (await slipwayd.api.auth.whoami()).user.name;
    expect(deployment.cancellation?.by).toBe(who);
    const shown = await slipwayd.cli(['deployments', 'show', id]);
    expect(shown.stdout).toContain(`requested by ${who}`);
    const listed = await slipwayd.cli(['deployments', 'list', 'stable']);
    expect(listed.stdout).toContain(`cancelled by ${who}`);

    // The build slot is free: another app's deployment is built and goes live.
    const { deployment: next } = await slipwayd.api.deployments.create('other', {
      path: join(fixturesDir, 'hello-node'),
    });
    expect((await slipwayd.settle(next.id)).state).toBe('succeeded');
    await expectStableServing();

    const audit = await slipwayd.api.audit.list({ action: 'deployments.cancel' });
    expect(audit.records).toEqual([
      expect.objectContaining({ target: { kind: 'deployment', id }, outcome: 'success' }),
    ]);
  });

  it('answers a repeated cancel as it stands, and refuses to cancel a finished deployment with 409', async () => {
    const id = await deployStalled();
    expect((await slipwayd.cli(['deployments', 'cancel', id])).code).toBe(0);
    expect((await slipwayd.cli(['deployments', 'cancel', id])).code).toBe(0);
    expect((await pollUntilEnded(id)).deployment.state).toBe('cancelled');
    expect((await slipwayd.cli(['deployments', 'cancel', id])).stdout).toContain('is cancelled');

    const [succeeded] = (await slipwayd.api.deployments.list('other')).deployments;
    const refused = await slipwayd.cli(['deployments', 'cancel', succeeded?.id ?? '']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DEPLOYMENT_NOT_CANCELLABLE');
    const raw = await slipwayd.fetch(`/api/v1/deployments/${succeeded?.id ?? ''}/cancel`, { method: 'POST' });
    expect(raw.status).toBe(409);
  });

  it('ends cancelled after a restart when slipwayd died as the run began to stop, instead of resuming it', async () => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ env: { SLIPWAY_BUILD_CONCURRENCY: '1', SLIPWAY_FAILPOINTS: 'cancel:stopping=kill' } });
    const id = await deployStalled();

    // The request is stored before the run is woken; the run kills slipwayd as it begins to stop (the answer may be lost).
    await slipwayd.cli(['deployments', 'cancel', id]);
    await waitFor(async () =>
      expect(
        await slipwayd.api.ready().then(
          () => 'up',
          () => 'down',
        ),
      ).toBe('down'),
    );
    await slipwayd.kill('SIGKILL');
    await slipwayd.start({ env: { SLIPWAY_BUILD_CONCURRENCY: '1' } });

    const { deployment } = await pollUntilEnded(id);
    const who = (await slipwayd.api.auth.whoami()).user.name;
    expect(deployment).toMatchObject({ state: 'cancelled', phase: 'fetch', cancellation: { by: who } });
    const events = [];
    for await (const event of slipwayd.api.deployments.events(id)) events.push(event);
    expect(events.filter((e) => e.type === 'state').map((e) => e.state)).toEqual(['running', 'cancelled']);
    expect(events.filter((e) => e.type === 'log' && e.line.startsWith('deployment cancelled'))).toHaveLength(1);
    await expectStableServing();
  });
});
