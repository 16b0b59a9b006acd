import { afterEach, describe, expect, it } from 'vitest';
import { scaleApp } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness, type CoreHarnessOptions } from './core-harness.js';

describe('reconciler', () => {
  let harness: CoreHarness;

  afterEach(async () => {
    await harness.close();
  });

  /** A harness with app `hello` deployed once, its reconciler loop stopped so each test drives single passes. */
  const deployed = async (options: CoreHarnessOptions = {}, replicas?: number) => {
    harness = await createCoreHarness(options);
    await harness.createApp('hello');
    const deployment = await harness.deploy(
      'hello',
      await harness.webSource(replicas === undefined ? {} : { replicas }),
    );
    expect(deployment.state).toBe('succeeded');
    await harness.stop();
    return deployment;
  };

  /** Runs passes until `check` holds (health probes run in the background between passes). */
  const converge = <T>(check: () => Promise<T>, reconcile = () => harness.reconciler.reconcile()) =>
    waitFor(async () => {
      await reconcile();
      return check();
    });

  const find = async (id: string) => {
    const record = await harness.store.instances.findById(id);
    if (!record) throw new Error(`no instance ${id}`);
    return record;
  };
  const startsOf = (id: string, runtime = harness.runtime) =>
    runtime.startedSpecs().filter((s) => s.instanceId === id).length;
  const scale = (web: number) =>
    scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { web } });

  describe('crashes', () => {
    it('restarts a crashed instance under the same id after its backoff, counting the restart', async () => {
      await deployed({ settings: { restartBackoffBaseMs: 500 } });
      const [instance] = await harness.instancesOf('hello');
      const id = instance?.id ?? '';
      harness.runtime.crash(id, 7);

      await harness.reconciler.reconcile();
      const crashed = await find(id);
      expect(crashed).toMatchObject({ state: 'crashed', lastExitCode: 7, restarts: 0, pid: null });
      expect((crashed.restartAfterMs ?? 0) - crashed.updatedAtMs).toBe(500);
      expect(harness.router.upstreamIds()).not.toContain(id);

      // Within the backoff another pass leaves it alone.
      await harness.reconciler.reconcile();
      expect((await find(id)).state).toBe('crashed');
      expect(startsOf(id)).toBe(1);

      const restarted = await converge(async () => {
        const record = await find(id);
        expect(record.state).toBe('healthy');
        return record;
      });
      expect(restarted).toMatchObject({ restarts: 1, lastExitCode: 7 });
      expect(startsOf(id)).toBe(2);
      expect(await harness.instancesOf('hello')).toHaveLength(1);
      expect(harness.router.upstreamIds()).toEqual([id]);
    });

    it('doubles the backoff with every restart', async () => {
      await deployed({ settings: { restartBackoffBaseMs: 40 } });
      const [instance] = await harness.instancesOf('hello');
      const id = instance?.id ?? '';
      const backoffs: number[] = [];
      for (let restarts = 0; restarts < 3; restarts += 1) {
        harness.runtime.crash(id, 1);
        await harness.reconciler.reconcile();
        const crashed = await find(id);
        expect(crashed).toMatchObject({ state: 'crashed', restarts });
        backoffs.push((crashed.restartAfterMs ?? 0) - crashed.updatedAtMs);
        await converge(async () => expect((await find(id)).state).toBe('healthy'));
      }

      expect(backoffs).toEqual([40, 80, 160]);
      expect(startsOf(id)).toBe(4);
    });

    it('starts over with the base backoff after the instance ran healthy for the stable period', async () => {
      await deployed({ settings: { restartBackoffBaseMs: 40, stableRunMs: 100 } });
      const [instance] = await harness.instancesOf('hello');
      const id = instance?.id ?? '';
      harness.runtime.crash(id, 1);
      await harness.reconciler.reconcile();
      await converge(async () => expect((await find(id)).state).toBe('healthy'));
      await waitFor(async () =>
        expect(Date.now() - ((await find(id)).healthyAtMs ?? Date.now())).toBeGreaterThanOrEqual(100),
      );

      harness.runtime.crash(id, 1);
      await harness.reconciler.reconcile();
      const crashed = await find(id);
      expect(crashed).toMatchObject({ state: 'crashed', restarts: 1 });
      expect((crashed.restartAfterMs ?? 0) - crashed.updatedAtMs).toBe(40);
    });
  });

  it('removes an instance the runtime runs but no record claims', async () => {
    await deployed();
    const [instance] = await harness.instancesOf('hello');
    await harness.runtime.start({
      instanceId: 'ins_orphan',
      labels: { 'slipway.app': 'ghost' },
      command: 'sleep-forever',
      workDir: harness.dataDir,
      env: {},
      stopGraceMs: 0,
    });

    await harness.reconciler.reconcile();

    expect(await harness.runtime.inspect('ins_orphan')).toBeUndefined();
    expect(harness.steps).toContainEqual({ kind: 'remove', instanceId: 'ins_orphan' });
    expect(await harness.runtime.inspect(instance?.id ?? '')).toMatchObject({ state: 'running' });
    expect(await harness.instancesOf('hello')).toEqual([instance]);
  });

  it('converges a scale up to 3 healthy instances and a scale down to 1, keeping the oldest', async () => {
    await deployed();
    const [original] = await harness.instancesOf('hello');

    await scale(3);
    await converge(async () =>
      expect((await harness.instancesOf('hello')).map((i) => i.state)).toEqual(['healthy', 'healthy', 'healthy']),
    );
    expect(harness.runtime.startedSpecs()).toHaveLength(3);
    expect(harness.router.upstreamIds()).toHaveLength(3);

    await scale(1);
    await converge(async () => expect(await harness.instancesOf('hello')).toEqual([original]));
    expect((await harness.runtime.list()).map((s) => s.instanceId)).toEqual([original?.id]);
    await converge(async () => expect(harness.router.upstreamIds()).toEqual([original?.id]));
  });

  describe('after a control-plane restart', () => {
    it('re-adopts running instances instead of restarting them', async () => {
      await deployed({}, 2);
      const before = await harness.instancesOf('hello');
      expect(before.map((i) => i.state)).toEqual(['healthy', 'healthy']);

      const second = harness.restartControlPlane();
      for (let pass = 0; pass < 3; pass += 1) {
        await second.reconciler.reconcile();
        await second.fleet.health.idle();
      }

      const after = await harness.instancesOf('hello');
      expect(after.map((i) => [i.id, i.state, i.restarts])).toEqual(before.map((i) => [i.id, 'healthy', 0]));
      expect(second.runtime.startedSpecs()).toEqual([]);
      expect((await second.runtime.list()).map((s) => s.instanceId).sort()).toEqual(before.map((i) => i.id).sort());
      expect(harness.router.upstreamIds().sort()).toEqual(before.map((i) => i.id).sort());
    });

    it('manages the re-adopted instances: a crash is restarted by the new control plane', async () => {
      await deployed();
      const [instance] = await harness.instancesOf('hello');
      const id = instance?.id ?? '';
      const second = harness.restartControlPlane();
      await second.reconciler.reconcile();

      second.runtime.crash(id, 2);
      await converge(
        async () => expect(await find(id)).toMatchObject({ state: 'healthy', restarts: 1 }),
        () => second.reconciler.reconcile(),
      );

      expect(startsOf(id, second.runtime)).toBe(1);
    });

    it('restarts an instance that exited while the control plane was down', async () => {
      await deployed();
      const [instance] = await harness.instancesOf('hello');
      const id = instance?.id ?? '';
      harness.runtime.crash(id, 9);

      const second = harness.restartControlPlane();
      await second.reconciler.reconcile();
      expect(await find(id)).toMatchObject({ state: 'crashed', lastExitCode: 9 });

      await converge(
        async () => expect(await find(id)).toMatchObject({ state: 'healthy', restarts: 1 }),
        () => second.reconciler.reconcile(),
      );
      expect(startsOf(id, second.runtime)).toBe(1);
    });
  });
});
