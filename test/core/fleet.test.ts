import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSlipwayError } from '@slipway/contract';
import { createFleet, scaleApp, getAppScope, getRelease } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('fleet', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  const stateOf = async (id: string) => (await harness.store.instances.findById(id))?.state;

  it('lists only healthy instances in the routing table', async () => {
    let isHealthy = (_id: string): boolean => true;
    harness.runtime.setExecHandler(({ status }) =>
      isHealthy(status.instanceId) ? { exitCode: 0, output: 'ok' } : { exitCode: 1, output: 'sick' },
    );
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec', replicas: 2 }));
    const [sick, well] = (await harness.instancesOf('hello')).map((i) => i.id);
    expect(harness.router.upstreamIds().sort()).toEqual([sick, well].sort());

    // One instance starts failing its check, and a new one (scale 3) never passes it.
    isHealthy = (id) => id === well;
    await scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { web: 3 } });

    await waitFor(async () => {
      const instances = await harness.instancesOf('hello');
      expect(instances.map((i) => [i.id, i.state])).toEqual([
        [sick, 'unhealthy'],
        [well, 'healthy'],
        [expect.any(String), 'starting'],
      ]);
    });
    await waitFor(() => expect(harness.router.upstreamIds()).toEqual([well]));
    const route = harness.router.latest().routes.find((r) => r.host === 'hello.localhost');
    expect(route?.upstreams).toEqual([expect.objectContaining({ instanceId: well, releaseNumber: 1, weight: 1 })]);
  });

  it('takes a retired instance out of the routing table before the runtime stops it', async () => {
    await harness.deploy('hello', await harness.webSource());
    await harness.stop();
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    expect(harness.router.upstreamIds()).toEqual([id]);
    const from = harness.steps.length;

    await harness.fleet.retireInstance(id);

    const steps = harness.steps.slice(from);
    const removal = steps.findIndex((s) => s.kind === 'remove' && s.instanceId === id);
    const firstStop = steps.findIndex((s) => s.kind === 'stop' && s.instanceId === id);
    const firstApply = steps.findIndex((s) => s.kind === 'apply');
    expect(firstApply).toBeGreaterThanOrEqual(0);
    expect(steps[firstApply]).toEqual({ kind: 'apply', upstreamIds: [] });
    expect(removal).toBeGreaterThan(firstApply);
    expect(firstStop === -1 || firstStop > firstApply).toBe(true);
    expect(await harness.runtime.inspect(id)).toBeUndefined();
    expect(await harness.store.instances.findById(id)).toBeUndefined();
  });

  it('retires an instance once even when asked twice at the same time', async () => {
    await harness.deploy('hello', await harness.webSource());
    await harness.stop();
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    const from = harness.steps.length;

    await Promise.all([harness.fleet.retireInstance(id), harness.fleet.retireInstance(id)]);

    expect(harness.steps.slice(from).filter((s) => s.kind === 'remove' && s.instanceId === id)).toHaveLength(1);
    expect(await harness.store.instances.findById(id)).toBeUndefined();
  });

  it('records a start the runtime refuses as a crash with a backoff, and rethrows the error', async () => {
    await harness.deploy('hello', await harness.webSource());
    await harness.stop();
    const { app, environment, appEnvironment } = await getAppScope(harness.store, 'hello', 'production');
    const release = await getRelease(harness.store, appEnvironment.currentReleaseId ?? '');
    harness.runtime.failNextStart('PORT_UNAVAILABLE');

    const error: unknown = await harness.fleet
      .startInstance({ app, environment }, release, 'web', null)
      .catch((e: unknown) => e);

    expect(isSlipwayError(error) && error.code).toBe('PORT_UNAVAILABLE');
    const refused = (await harness.instancesOf('hello')).filter((i) => i.state === 'crashed');
    expect(refused).toEqual([
      expect.objectContaining({ restarts: 0, releaseId: release.id, process: 'web', port: null }),
    ]);
    expect((refused[0]?.restartAfterMs ?? 0) - (refused[0]?.updatedAtMs ?? 0)).toBe(
      harness.deps.settings.restartBackoffBaseMs,
    );
  });

  it('starts a refused instance again under the same id once its backoff has passed', async () => {
    await harness.deploy('hello', await harness.webSource());
    await harness.stop();
    harness.runtime.failNextStart('START_FAILED');

    await scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { web: 2 } });
    await harness.reconciler.reconcile();
    const refused = (await harness.instancesOf('hello')).filter((i) => i.state === 'crashed');
    expect(refused).toHaveLength(1);
    const id = refused[0]?.id ?? '';

    await waitFor(async () => {
      await harness.reconciler.reconcile();
      expect(await stateOf(id)).toBe('healthy');
    });
    expect((await harness.store.instances.findById(id))?.restarts).toBe(1);
    expect(harness.runtime.startedSpecs().filter((s) => s.instanceId === id)).toHaveLength(1);
    expect((await harness.instancesOf('hello')).map((i) => i.state)).toEqual(['healthy', 'healthy']);
  });

  it('refuses to start a process type the release does not have', async () => {
    await harness.deploy('hello', await harness.webSource());
    await harness.stop();
    const { app, environment, appEnvironment } = await getAppScope(harness.store, 'hello', 'production');
    const release = await getRelease(harness.store, appEnvironment.currentReleaseId ?? '');
    const starts = harness.runtime.startedSpecs().length;

    await expect(harness.fleet.startInstance({ app, environment }, release, 'worker', null)).rejects.toMatchObject({
      code: 'PROCESS_TYPE_UNKNOWN',
    });
    expect(harness.runtime.startedSpecs()).toHaveLength(starts);
  });

  describe('draining a retired instance', () => {
    let drained: CoreHarness;

    beforeEach(async () => {
      // A drain timeout far beyond any test: only the router's in-flight count may end these drains early.
      drained = await createCoreHarness({ settings: { drainMs: 600_000 } });
      await drained.createApp('hello');
      await drained.deploy('hello', await drained.webSource());
      await drained.stop();
    });

    afterEach(async () => {
      await drained.close();
    });

    const servingInstance = async (): Promise<string> => (await drained.instancesOf('hello'))[0]?.id ?? '';

    it('keeps a retired instance running until the router has no request in flight to it', async () => {
      const id = await servingInstance();
      drained.router.inFlightCounts.set(id, 2);

      const retired = drained.fleet.retireInstance(id);
      await waitFor(() => expect(drained.router.inFlightQueries).toBeGreaterThanOrEqual(3));
      expect(drained.router.upstreamIds()).toEqual([]);
      expect((await drained.store.instances.findById(id))?.state).toBe('draining');
      expect(await drained.runtime.inspect(id)).toBeDefined();
      expect(drained.steps.filter((s) => s.kind !== 'apply' && s.instanceId === id).map((s) => s.kind)).toEqual([
        'start',
      ]);

      drained.router.inFlightCounts.set(id, 0);
      await retired;
      expect(await drained.runtime.inspect(id)).toBeUndefined();
      expect(await drained.store.instances.findById(id)).toBeUndefined();
    });

    it('stops the instance at the drain timeout when its requests never finish', async () => {
      const id = await servingInstance();
      drained.router.inFlightCounts.set(id, 1);
      const fleet = createFleet({ ...drained.deps, settings: { ...drained.deps.settings, drainMs: 200 } });

      await fleet.retireInstance(id);

      expect(drained.router.inFlightQueries).toBeGreaterThan(0);
      expect(await drained.runtime.inspect(id)).toBeUndefined();
      expect(await drained.store.instances.findById(id)).toBeUndefined();
    });

    it('retires the instance when the router fails or never answers the in-flight query', async () => {
      const id = await servingInstance();
      const fleet = createFleet({ ...drained.deps, settings: { ...drained.deps.settings, drainMs: 200 } });
      let calls = 0;
      drained.router.setInFlightHandler(() => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('connect ENOENT admin.sock')) : new Promise(() => undefined);
      });

      await fleet.retireInstance(id);

      expect(calls).toBeGreaterThanOrEqual(2);
      expect(await drained.runtime.inspect(id)).toBeUndefined();
      expect(await drained.store.instances.findById(id)).toBeUndefined();
    });

    it('keeps a serving instance running while the router cannot take the table without it, and retires it once it can', async () => {
      const id = await servingInstance();
      let isRouterDown = true;
      const router = {
        ...drained.router,
        apply: (table: Parameters<typeof drained.router.apply>[0]) =>
          isRouterDown ? Promise.reject(new Error('connect ENOENT admin.sock')) : drained.router.apply(table),
      };
      const fleet = createFleet({ ...drained.deps, router });

      await fleet.retireInstance(id);

      expect((await drained.runtime.inspect(id))?.state).toBe('running');
      expect(await drained.store.instances.findById(id)).toMatchObject({ state: 'draining' });

      isRouterDown = false;
      await fleet.retireInstance(id);

      expect(await drained.runtime.inspect(id)).toBeUndefined();
      expect(await drained.store.instances.findById(id)).toBeUndefined();
    });

    it('does not wait on the router for an instance that never served', async () => {
      const id = await servingInstance();
      const record = await drained.store.instances.findById(id);
      if (record) await drained.store.instances.update({ ...record, state: 'starting' });
      drained.router.inFlightCounts.set(id, 5);

      await drained.fleet.retireInstance(id);

      expect(drained.router.inFlightQueries).toBe(0);
      expect(await drained.runtime.inspect(id)).toBeUndefined();
    });
  });
});
