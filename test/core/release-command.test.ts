import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getAppScope } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('the release command (a Procfile release: entry)', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness({ settings: { releaseCommandTimeoutMs: 400 } });
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  const source = (release: string, extra = '') =>
    harness.writeSource({
      Procfile: `web: fake:http-server\nrelease: ${release}\n${extra}`,
      'slipway.yaml':
        'env:\n  GREETING: hi\nprocesses:\n  web:\n    healthCheck:\n      type: tcp\n      intervalSeconds: 1\n',
    });
  const logLines = async (deploymentId: string): Promise<string[]> =>
    (await harness.store.events.list(deploymentId, 0, 100_000))
      .filter((event) => event.type === 'log')
      .map((event) => String(event.payload['line']));
  const currentReleaseId = async () =>
    (await getAppScope(harness.store, 'hello', 'production')).appEnvironment.currentReleaseId;

  it('runs once per release, before any instance of it starts, in its environment, with its output in the log', async () => {
    const deployment = await harness.deploy('hello', await source('fake:print-env-and-exit GREETING SLIPWAY_PROCESS'));

    expect(deployment).toMatchObject({ state: 'succeeded' });
    const starts = harness.steps.filter((step) => step.kind === 'start');
    expect(starts.map((step) => step.instanceId)).toEqual([
      `${deployment.id}-release`,
      ...(await harness.instancesOf('hello')).map((instance) => instance.id),
    ]);
    expect(await logLines(deployment.id)).toEqual(expect.arrayContaining(['GREETING=hi', 'SLIPWAY_PROCESS=release']));
    expect((await harness.instancesOf('hello')).map((instance) => instance.process)).toEqual(['web']);
    expect(await harness.runtime.inspect(`${deployment.id}-release`)).toBeUndefined();
  });

  it('fails the deployment on a non-zero exit, its output in the reason, and the old release keeps serving', async () => {
    const first = await harness.deploy('hello', await source('fake:exit 0'));
    const [stable] = await harness.instancesOf('hello');

    const second = await harness.deploy('hello', await source('fake:exit 3'));

    expect(second).toMatchObject({
      state: 'failed',
      failure: { phase: 'release', code: 'RELEASE_COMMAND_FAILED' },
    });
    expect(second.failure?.reason).toContain('the release command exited 3');
    expect(await currentReleaseId()).toBe(first.releaseId);
    expect(harness.steps.filter((step) => step.kind === 'start' && step.releaseId === second.releaseId)).toEqual([
      { kind: 'start', instanceId: `${second.id}-release`, releaseId: second.releaseId },
    ]);
    expect(await harness.instancesOf('hello')).toEqual([stable]);
    expect(harness.router.upstreamIds()).toEqual([stable?.id]);
  });

  it('stops a release command past its deadline and fails the deployment', async () => {
    const deployment = await harness.deploy('hello', await source('fake:runs-forever'));

    expect(deployment).toMatchObject({
      state: 'failed',
      failure: { phase: 'release', code: 'RELEASE_COMMAND_FAILED' },
    });
    expect(deployment.failure?.reason).toContain('did not finish within 400 ms');
    expect(await harness.instancesOf('hello')).toEqual([]);
    expect(await harness.runtime.inspect(`${deployment.id}-release`)).toBeUndefined();
  });

  it('is never a process type: it cannot be scaled and the controller does not start it', async () => {
    await harness.deploy('hello', await source('fake:exit 0'));
    await harness.reconciler.reconcile();
    const { scaleApp } = await import('@slipway/core');
    await expect(
      scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { release: 1 } }),
    ).rejects.toMatchObject({ code: 'PROCESS_TYPE_UNKNOWN' });
    expect((await harness.instancesOf('hello')).map((instance) => instance.process)).toEqual(['web']);
  });
});

describe('a process type without a health check', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  it('is a crash, not healthy, when it exits at once with code 0', async () => {
    const source = await harness.writeSource({
      Procfile: 'web: fake:http-server\nworker: fake:exit 0\n',
      'slipway.yaml': 'processes:\n  web:\n    healthCheck:\n      type: tcp\n',
    });

    const deployment = await harness.deploy('hello', source);

    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'CRASH_LOOP' } });
    expect(deployment.failure?.reason).toContain('worker');
  });

  it('is healthy once it has run for the settle time', async () => {
    const source = await harness.writeSource({
      Procfile: 'web: fake:http-server\nworker: fake:runs-forever\n',
      'slipway.yaml': 'processes:\n  web:\n    healthCheck:\n      type: tcp\n',
    });

    const deployment = await harness.deploy('hello', source);

    expect(deployment).toMatchObject({ state: 'succeeded' });
    await waitFor(async () => {
      const worker = (await harness.instancesOf('hello')).find((instance) => instance.process === 'worker');
      expect(worker?.state).toBe('healthy');
      expect((worker?.healthyAtMs ?? 0) - (worker?.startedAtMs ?? 0)).toBeGreaterThanOrEqual(
        harness.deps.settings.settleMs,
      );
    });
  });
});
