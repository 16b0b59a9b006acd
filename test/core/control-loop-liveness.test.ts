/**
 * The controller stays live: a runtime whose engine hangs holds up only its own pass, and an instance a rollout
 * starts while a pass is between its reads of the records and of the runtime is never taken for an orphan, and an app
 * environment is converged by the pass of the runtime its release runs on only, never by two passes at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFleet,
  createReconciler,
  createRuntimeSet,
  getAppScope,
  getRelease,
  requestDeployment,
  scaleApp,
  type ReconcilerFailpoint,
} from '@slipway/core';
import { createFakeRuntimeDriver, createFakeRuntimeWorld, waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('control loop liveness', () => {
  let harness: CoreHarness;

  afterEach(async () => {
    await harness.close();
  });

  const deployed = async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
    // Its own loop stopped: each test drives the passes it needs.
    await harness.stop();
    const [instance] = await harness.instancesOf('hello');
    if (!instance) throw new Error('no instance');
    return instance;
  };

  it('restarts a crashed process instance while the docker runtime hangs, and that runtime rejects its calls with RUNTIME_TIMEOUT', async () => {
    const instance = await deployed();
    // A second runtime whose engine accepts every call and never answers.
    const docker = createFakeRuntimeDriver({
      world: createFakeRuntimeWorld(),
      portRange: { from: 22_900, to: 22_949 },
    });
    const runtimes = createRuntimeSet({ process: harness.runtime, docker }, { callTimeoutMs: 60_000 });
    const deps = { ...harness.deps, runtimes };
    const fleet = createFleet(deps);
    const reconciler = createReconciler(deps, fleet);
    docker.hang();
    harness.runtime.crash(instance.id, 9);

    reconciler.start();
    try {
      const restarted = await waitFor(async () => {
        const record = await harness.store.instances.findById(instance.id);
        expect(record).toMatchObject({ state: 'healthy', restarts: 1, lastExitCode: 9 });
        return record;
      });
      // The docker pass is still waiting on its list (it has made no other call): only it is held.
      expect(docker.hungCalls).toBe(1);
      expect(restarted?.runtime).toBe('process');
    } finally {
      docker.answer();
      await reconciler.stop();
    }

    const shortDeadline = createRuntimeSet({ docker }, { callTimeoutMs: 50 });
    docker.hang();
    await expect(shortDeadline.get('docker').list()).rejects.toMatchObject({
      code: 'RUNTIME_TIMEOUT',
      details: { runtime: 'docker', call: 'list', timeoutMs: 50 },
    });
    docker.answer();
    await docker.close();
  });

  it('keeps an instance a rollout records and starts while a pass is between its reads, instead of removing it as an orphan', async () => {
    const first = await deployed();
    // Two are wanted, so the second is not surplus either: only the orphan check could remove it.
    await scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { web: 2 } });
    let hold: () => void = () => undefined;
    let isHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (isHeld = resolve));
    const failpoint: ReconcilerFailpoint = async () => {
      isHeld();
      await new Promise<void>((resolve) => (hold = resolve));
    };
    const reconciler = createReconciler(harness.deps, harness.fleet, { failpoint });

    // The pass reads the records, then waits between its reads.
    const pass = reconciler.reconcile();
    await held;
    // Meanwhile a new instance is recorded and started, as a rollout's step does through the fleet.
    const { app, environment, appEnvironment } = await getAppScope(harness.store, 'hello', 'production');
    const release = await getRelease(harness.store, appEnvironment.currentReleaseId ?? '');
    const started = await harness.fleet.startInstance({ app, environment }, release, 'web', null);
    hold();
    await pass;
    await harness.fleet.background.idle();

    const removed = harness.steps.flatMap((s) => (s.kind === 'remove' ? [s.instanceId] : []));
    expect(removed).not.toContain(started.id);
    expect(await harness.runtime.inspect(started.id)).toMatchObject({ state: 'running' });
    expect((await harness.instancesOf('hello')).map((i) => i.id).sort()).toEqual([first.id, started.id].sort());
  });

  it("converges a first deploy only in the pass of its release's runtime, never in another runtime's pass", async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    await harness.createApp('hello');
    // Another runtime is listed first: with no instance and no current release yet, its pass must still leave the
    // app environment to the pass of the runtime the rollout's release runs on (else both would start instances).
    const other = createFakeRuntimeDriver({ world: createFakeRuntimeWorld(), portRange: { from: 22_950, to: 22_999 } });
    const runtimes = createRuntimeSet({ other, process: harness.runtime });
    const deps = { ...harness.deps, runtimes };
    const fleet = createFleet(deps);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let otherPasses = 0;
    const failpoint: ReconcilerFailpoint = async (_name, { runtime }) => {
      if (runtime === 'other') otherPasses += 1;
      else await released;
    };
    const reconciler = createReconciler(deps, fleet, { failpoint });
    reconciler.start();
    const requested = await requestDeployment(harness.deps, {
      app: 'hello',
      environment: 'production',
      source: { kind: 'path', path: await harness.webSource({ replicas: 2 }) },
    });
    const { app, environment } = await getAppScope(harness.store, 'hello', 'production');
    const deployment = harness.runToEnd(requested.id);
    try {
      // The rollout is recorded; the process pass is held, and the other runtime's pass goes round several times.
      await waitFor(async () => expect(await harness.store.rollouts.findActive(app.id, environment.id)).toBeDefined());
      const after = otherPasses;
      await waitFor(() => expect(otherPasses).toBeGreaterThan(after + 3));
      expect(await harness.instancesOf('hello')).toEqual([]);
    } finally {
      release();
    }
    expect((await deployment).state).toBe('succeeded');
    await reconciler.stop();
    await other.close();
    expect(await harness.instancesOf('hello')).toHaveLength(2);
  });
});
