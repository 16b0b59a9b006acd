/**
 * A control plane that dies at any failpoint of a deployment leaves state from which the next one finishes it: the
 * run is held at the point, cut off there (what SIGKILL leaves behind is what the store holds at that moment), and
 * a new control plane over the same store and runtime runs it again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  requestDeployment,
  getAppScope,
  createDeploymentRunner,
  deploymentFailpointNames,
  type Failpoint,
  type FailpointName,
} from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('deployment recovery after a crash at a failpoint', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
  });

  afterEach(async () => {
    await harness.close();
  });

  const scope = () => getAppScope(harness.store, 'hello', 'production');
  const request = async (path: string) =>
    (await requestDeployment(harness.deps, { app: 'hello', environment: 'production', source: { kind: 'path', path } }))
      .id;

  /** Runs the deployment until it reaches `point`, holds it there and cuts it off; resolves once it is cut off. */
  const crashAt = async (deploymentId: string, point: FailpointName): Promise<void> => {
    let reached: () => void = () => undefined;
    const isReached = new Promise<void>((resolve) => (reached = resolve));
    const failpoint: Failpoint = (name, { signal }) =>
      name !== point
        ? Promise.resolve()
        : new Promise((_resolve, reject) => {
            reached();
            signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          });
    const cut = new AbortController();
    const run = createDeploymentRunner({ ...harness.deps, failpoint }, harness.fleet).run(deploymentId, cut.signal);
    await isReached;
    cut.abort(new Error('killed'));
    expect(await run).toBe('interrupted');
    await harness.stop();
  };

  // Every point a deploy passes; `cancel:stopping` is passed only by a cancelled run (see deployment-cancel.test.ts).
  it.each(deploymentFailpointNames.filter((name) => name !== 'cancel:stopping'))(
    'finishes a deploy cut off at %s on the next control plane, with one current release and no gap',
    async (point) => {
      const id = await request(await harness.webSource());
      await crashAt(id, point);
      const held = await harness.store.deployments.findById(id);
      expect(held?.state).toBe('running');

      const next = harness.restartControlPlane();
      next.reconciler.start();
      expect(await next.runner.run(id, new AbortController().signal)).toBe('finished');

      const deployment = await harness.store.deployments.findById(id);
      expect(deployment).toMatchObject({ state: 'succeeded', failure: null });
      const { app, environment, appEnvironment } = await scope();
      const releases = await harness.store.releases.list(app.id, environment.id);
      expect(releases.map((r) => r.number)).toEqual([2, 1]);
      expect(appEnvironment.currentReleaseId).toBe(deployment?.releaseId);
      expect(releases[0]?.id).toBe(deployment?.releaseId);
      expect((await harness.store.phases.list(id)).filter((p) => p.state !== 'succeeded')).toEqual([]);
      await waitFor(async () => {
        const instances = await harness.instancesOf('hello');
        expect(instances.map((i) => [i.releaseId, i.state])).toEqual([[deployment?.releaseId, 'healthy']]);
        expect(harness.router.upstreamIds()).toEqual(instances.map((i) => i.id));
      });
    },
  );

  it('drops the artifact a run left between moving it and recording the release, and releases the new build', async () => {
    const id = await request(await harness.webSource());
    await crashAt(id, 'release:promoted');
    const left = await harness.store.deployments.findById(id);
    expect(left?.releaseId).not.toBeNull();
    expect(await harness.deps.artifacts.hasArtifact(left?.releaseId ?? '')).toBe(true);

    const next = harness.restartControlPlane();
    next.reconciler.start();
    await next.runner.run(id, new AbortController().signal);

    const deployment = await harness.store.deployments.findById(id);
    expect(deployment).toMatchObject({ state: 'succeeded', releaseId: left?.releaseId });
    const phases = (await harness.store.phases.list(id)).map((p) => `${p.phase}:${p.state}`);
    // Fetch and build were redone: the build's processes exist only in the memory of the run that died.
    expect(phases).toEqual([
      'fetch:succeeded',
      'build:succeeded',
      'release:succeeded',
      'fetch:succeeded',
      'build:succeeded',
      'rollout:succeeded',
      'finalize:succeeded',
    ]);
  });

  it('retires an instance record a dead run wrote but never launched, instead of waiting for it', async () => {
    const id = await request(await harness.webSource());
    await crashAt(id, 'start:rollout');
    const { app, environment } = await scope();
    const deployment = await harness.store.deployments.findById(id);
    const now = Date.now();
    await harness.store.instances.insert({
      id: 'ins_unlaunched',
      runtime: 'process',
      limits: null,
      lastExitReason: null,
      appId: app.id,
      environmentId: environment.id,
      releaseId: deployment?.releaseId ?? '',
      deploymentId: id,
      process: 'web',
      state: 'starting',
      host: null,
      port: null,
      pid: null,
      restarts: 0,
      lastExitCode: null,
      startedAtMs: null,
      healthyAtMs: null,
      restartAfterMs: null,
      updatedAtMs: now,
    });

    const next = harness.restartControlPlane();
    next.reconciler.start();
    await next.runner.run(id, new AbortController().signal);

    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded' });
    expect(await harness.store.instances.findById('ins_unlaunched')).toBeUndefined();
    expect((await harness.instancesOf('hello')).map((i) => i.state)).toEqual(['healthy']);
  });
});
