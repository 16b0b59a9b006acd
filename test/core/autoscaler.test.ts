import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { createAutoscaler, getAppScope, getAutoscaleStatus, scaleApp, type Autoscaler } from '@slipway/core';
import { createCoreHarness, insertProgressingRollout, type CoreHarness } from './core-harness.js';

const autoscaleYaml = [
  '    autoscale:',
  '      min: 1',
  '      max: 5',
  '      metrics:',
  '        - type: inFlight',
  '          target: 10',
  '      behavior:',
  '        scaleDown:',
  '          stabilizationWindowSeconds: 0',
].join('\n');

describe('the autoscaler loop', () => {
  let harness: CoreHarness;
  let autoscaler: Autoscaler;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    autoscaler = createAutoscaler(harness.deps, { intervalMs: 60_000, decisionsKept: 3 });
  });

  afterEach(async () => {
    await autoscaler.stop();
    await harness.close();
  });

  const source = () => harness.webSource({ manifestYaml: autoscaleYaml });
  const healthyWeb = async () => (await harness.instancesOf('hello')).filter((i) => i.state === 'healthy');
  const scale = async () => (await getAppScope(harness.store, 'hello', 'production')).appEnvironment.scale;
  const status = () => getAutoscaleStatus(harness.deps, { app: 'hello', environment: 'production', limit: 10 });
  const setInFlight = async (perInstance: number) => {
    for (const instance of await healthyWeb()) harness.router.inFlightCounts.set(instance.id, perInstance);
  };

  it('scales up through the scale path under load, records why, and scales down when the load goes', async () => {
    expect((await harness.deploy('hello', await source())).state).toBe('succeeded');
    expect(await healthyWeb()).toHaveLength(1);

    await setInFlight(30);
    await autoscaler.evaluate();
    expect(await scale()).toEqual({ web: 3 });
    const [up] = (await status()).processes[0]?.decisions ?? [];
    expect(up).toMatchObject({ currentReplicas: 1, rawDesired: 3, stabilised: 3, policyLimited: 3, final: 3 });
    expect(up?.metrics).toEqual([
      expect.objectContaining({ metric: 'inFlight', current: 30, target: 10, proposal: 3 }),
    ]);
    // The reconciler converges to the new scale, as after `slipway scale`.
    await waitFor(async () => expect(await healthyWeb()).toHaveLength(3));

    await setInFlight(1);
    await autoscaler.evaluate();
    expect(await scale()).toEqual({ web: 1 });
    await waitFor(async () => expect(await healthyWeb()).toHaveLength(1));
    expect((await status()).processes[0]).toMatchObject({ process: 'web', min: 1, max: 5, replicas: 1 });
  });

  it('keeps a bounded history of decisions per process type', async () => {
    await harness.deploy('hello', await source());
    for (let i = 0; i < 5; i += 1) await autoscaler.evaluate();
    const { app, environment } = await getAppScope(harness.store, 'hello', 'production');
    expect(await harness.store.autoscaleDecisions.list(app.id, environment.id, { limit: 100 })).toHaveLength(3);
  });

  it('leaves a process type under a rollout alone', async () => {
    await harness.deploy('hello', await source());
    await insertProgressingRollout(harness, 'hello');

    await setInFlight(40);
    await autoscaler.evaluate();
    expect(await scale()).toEqual({});
    expect((await status()).processes[0]).toMatchObject({ isRolloutActive: true, decisions: [] });
    // A scale asked by the autoscaler while a rollout runs is refused, whoever checked before.
    await expect(
      scaleApp(harness.deps, {
        app: 'hello',
        environment: 'production',
        processes: { web: 4 },
        isRefusedDuringRollout: true,
      }),
    ).rejects.toMatchObject({ code: 'DEPLOYMENT_IN_PROGRESS' });
  });

  it("rolls a new release out at the autoscaler's current count", async () => {
    await harness.deploy('hello', await source());
    await setInFlight(40);
    await autoscaler.evaluate();
    expect(await scale()).toEqual({ web: 4 });

    const second = await harness.deploy('hello', await source());
    expect(second.state).toBe('succeeded');
    const { appEnvironment } = await getAppScope(harness.store, 'hello', 'production');
    await waitFor(async () => {
      const current = (await healthyWeb()).filter((i) => i.releaseId === appEnvironment.currentReleaseId);
      expect(current).toHaveLength(4);
    });
  });

  it("measures CPU through the runtime's stats, in percent of the instance's limit", async () => {
    const cpuYaml = autoscaleYaml.replace(
      '- type: inFlight\n          target: 10',
      '- type: cpu\n          targetPercent: 50',
    );
    await harness.deploy('hello', await harness.webSource({ replicas: 2, manifestYaml: cpuYaml }));
    await waitFor(async () => expect(await healthyWeb()).toHaveLength(2));

    await autoscaler.evaluate();
    // The fake runtime reports idle instances: 0 % asks for 0 instances, and min keeps 1.
    const [decision] = (await status()).processes[0]?.decisions ?? [];
    expect(decision?.metrics).toEqual([
      expect.objectContaining({ metric: 'cpu', current: 0, target: 50, readyCount: 2, missingCount: 0, proposal: 0 }),
    ]);
    expect(decision).toMatchObject({ currentReplicas: 2, rawDesired: 0, final: 1, limit: 'TooFewReplicas' });
    expect(await scale()).toEqual({ web: 1 });
  });
});
