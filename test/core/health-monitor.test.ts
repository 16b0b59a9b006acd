import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestDeployment } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, execCheckCommand, type CoreHarness } from './core-harness.js';

describe('health monitor', () => {
  let harness: CoreHarness;
  /** Exec probes answered per instance id, in order. */
  let probes: { instanceId: string; isHealthy: boolean }[];
  let isHealthy: (instanceId: string) => boolean;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    probes = [];
    isHealthy = () => true;
    harness.runtime.setExecHandler(({ status }) => {
      const healthy = isHealthy(status.instanceId);
      probes.push({ instanceId: status.instanceId, isHealthy: healthy });
      return healthy ? { exitCode: 0, output: 'ok' } : { exitCode: 1, output: 'not ready' };
    });
  });

  afterEach(async () => {
    await harness.close();
  });

  const failuresOf = (instanceId: string) => probes.filter((p) => p.instanceId === instanceId && !p.isHealthy).length;
  const execSource = (startPeriodSeconds: number, retries: number) =>
    harness.writeSource({
      Procfile: 'web: fake:http-server\n',
      'slipway.yaml': [
        'processes:',
        '  web:',
        '    healthCheck:',
        '      type: exec',
        `      command: ${execCheckCommand}`,
        '      intervalSeconds: 0.05',
        `      retries: ${retries}`,
        `      startPeriodSeconds: ${startPeriodSeconds}`,
      ].join('\n'),
    });

  it('records when it last observed each instance, at its probe interval, and forgets it on reset', async () => {
    await harness.deploy('hello', await execSource(0, 1));
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    const first = await waitFor(async () => {
      const seen = harness.fleet.health.observation(id);
      expect(seen).toBeDefined();
      return seen!;
    });
    // Probes every 50 ms, judged at the controller's pace at best.
    expect(first.intervalMs).toBe(Math.max(50, harness.deps.settings.reconcileIntervalMs));
    const probesBefore = probes.length;
    await waitFor(async () => {
      expect(probes.length).toBeGreaterThan(probesBefore);
      expect(harness.fleet.health.observation(id)?.atMs).toBeGreaterThan(first.atMs);
    });
    harness.fleet.health.reset(id);
    expect(harness.fleet.health.observation(id)).toBeUndefined();
  });

  it('does not count failed probes inside the start period', async () => {
    isHealthy = () => false;
    const { id } = await requestDeployment(harness.deps, {
      app: 'hello',
      environment: 'production',
      source: { kind: 'path', path: await execSource(60, 1) },
    });
    const controller = new AbortController();
    const run = harness.runner.run(id, controller.signal);

    const [instance] = await waitFor(async () => {
      const instances = await harness.instancesOf('hello');
      expect(failuresOf(instances[0]?.id ?? '')).toBeGreaterThanOrEqual(5);
      return instances;
    });
    controller.abort(new Error('test over'));
    await run;

    expect((await harness.store.instances.findById(instance?.id ?? ''))?.state).toBe('starting');
  });

  it('fails the rollout with HEALTH_CHECK_FAILED once a new instance fails its retries past the start period', async () => {
    isHealthy = () => false;

    const deployment = await harness.deploy('hello', await execSource(0, 2));

    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'HEALTH_CHECK_FAILED' } });
    expect(deployment.failure?.reason).toContain('exec check');
    expect(deployment.failure?.reason).toContain('not ready');
    const [failed] = harness.runtime.startedSpecs();
    expect(failuresOf(failed?.instanceId ?? '')).toBeGreaterThanOrEqual(2);
    // The failed release's instance is taken back.
    await waitFor(async () => expect(await harness.instancesOf('hello')).toEqual([]));
  });

  it('takes a healthy instance out of the table after its retries fail in a row, and back at its next success', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    expect(harness.router.upstreamIds()).toEqual([id]);

    isHealthy = () => false;
    await waitFor(async () => expect((await harness.store.instances.findById(id))?.state).toBe('unhealthy'));
    // retries: 3 in the source's check.
    expect(failuresOf(id)).toBeGreaterThanOrEqual(3);
    await waitFor(() => expect(harness.router.upstreamIds()).toEqual([]));

    isHealthy = () => true;
    await waitFor(async () => expect((await harness.store.instances.findById(id))?.state).toBe('healthy'));
    await waitFor(() => expect(harness.router.upstreamIds()).toEqual([id]));
    expect(harness.runtime.startedSpecs()).toHaveLength(1);
  });
});
