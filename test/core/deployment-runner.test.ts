import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patchConfig, requestDeployment, requestRollback, getAppScope } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('deployment runner', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  const scope = () => getAppScope(harness.store, 'hello', 'production');
  const releasesOf = async () => {
    const { app, environment } = await scope();
    return harness.store.releases.list(app.id, environment.id);
  };
  const phasesOf = async (deploymentId: string) =>
    (await harness.store.phases.list(deploymentId)).map((p) => `${p.phase}:${p.state}`);
  const request = async (path: string) =>
    (await requestDeployment(harness.deps, { app: 'hello', environment: 'production', source: { kind: 'path', path } }))
      .id;

  it('takes a deploy through fetch, build, release, rollout and finalize and makes release 1 current', async () => {
    const id = await request(await harness.webSource());

    const deployment = await harness.runToEnd(id);

    expect(deployment).toMatchObject({ state: 'succeeded', phase: 'finalize', failure: null, kind: 'deploy' });
    const releases = await releasesOf();
    expect(releases.map((r) => r.number)).toEqual([1]);
    expect(releases[0]).toMatchObject({
      id: deployment.releaseId,
      builder: 'procfile',
      processes: { web: { command: 'fake:http-server' } },
    });
    expect((await scope()).appEnvironment.currentReleaseId).toBe(deployment.releaseId);
    expect(await phasesOf(id)).toEqual([
      'fetch:succeeded',
      'build:succeeded',
      'release:succeeded',
      'rollout:succeeded',
      'finalize:succeeded',
    ]);
    const { app, environment } = await scope();
    expect(await harness.store.routes.listByApp(app.id, environment.id)).toEqual([
      expect.objectContaining({ host: 'hello.localhost', pathPrefix: '/', process: 'web', origin: 'default' }),
    ]);
  });

  it('journals each phase as running then succeeded and streams phase, log and state events in seq order', async () => {
    const id = await request(await harness.webSource());
    let notifications = 0;
    const unsubscribe = harness.deps.events.subscribe(id, () => (notifications += 1));

    await harness.runToEnd(id);
    unsubscribe();

    const events = await harness.store.events.list(id, 0, 10_000);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(
      events.filter((e) => e.type === 'phase').map((e) => `${String(e.payload.phase)}:${String(e.payload.state)}`),
    ).toEqual(['fetch', 'build', 'release', 'rollout', 'finalize'].flatMap((p) => [`${p}:running`, `${p}:succeeded`]));
    expect(events.filter((e) => e.type === 'state').map((e) => e.payload.state)).toEqual(['running', 'succeeded']);
    expect(events[0]).toMatchObject({ type: 'state', payload: { state: 'running' } });
    expect(events.at(-1)).toMatchObject({ type: 'state', payload: { state: 'succeeded' } });
    expect(events.filter((e) => e.type === 'log').length).toBeGreaterThan(0);
    expect(notifications).toBe(events.length);
  });

  it('serves release 1 from one healthy instance listed in the routing table', async () => {
    const deployment = await harness.deploy('hello', await harness.webSource());

    const instances = await harness.instancesOf('hello');
    expect(instances).toEqual([
      expect.objectContaining({ releaseId: deployment.releaseId, process: 'web', state: 'healthy' }),
    ]);
    const route = harness.router.latest().routes.find((r) => r.host === 'hello.localhost');
    expect(route?.upstreams.map((u) => [u.instanceId, u.releaseNumber])).toEqual([[instances[0]?.id, 1]]);
  });

  it('creates release 2 on a second deploy and retires the instances of release 1', async () => {
    const first = await harness.deploy('hello', await harness.webSource());
    const [old] = await harness.instancesOf('hello');

    const second = await harness.deploy('hello', await harness.webSource());

    expect(second.state).toBe('succeeded');
    expect((await releasesOf()).map((r) => r.number)).toEqual([2, 1]);
    expect((await scope()).appEnvironment.currentReleaseId).toBe(second.releaseId);
    expect(second.previousReleaseId).toBe(first.releaseId);
    const instances = await harness.instancesOf('hello');
    expect(instances.map((i) => [i.releaseId, i.state])).toEqual([[second.releaseId, 'healthy']]);
    expect(await harness.runtime.inspect(old?.id ?? '')).toBeUndefined();
    expect(harness.router.upstreamIds()).toEqual(instances.map((i) => i.id));
  });

  it('rolls back by reusing release 1: no fetch, build or new release', async () => {
    const first = await harness.deploy('hello', await harness.webSource());
    await harness.deploy('hello', await harness.webSource());

    const rollback = await requestRollback(harness.deps, { app: 'hello', environment: 'production' });
    const deployment = await harness.runToEnd(rollback.id);

    expect(deployment).toMatchObject({ state: 'succeeded', kind: 'rollback', releaseId: first.releaseId });
    expect(await phasesOf(rollback.id)).toEqual([
      'fetch:skipped',
      'build:skipped',
      'release:skipped',
      'rollout:succeeded',
      'finalize:succeeded',
    ]);
    expect((await releasesOf()).map((r) => r.number)).toEqual([2, 1]);
    expect((await scope()).appEnvironment.currentReleaseId).toBe(first.releaseId);
    expect((await harness.instancesOf('hello')).map((i) => [i.releaseId, i.state])).toEqual([
      [first.releaseId, 'healthy'],
    ]);
    expect(harness.runtime.startedSpecs().at(-1)?.labels['slipway.release']).toBe('1');
  });

  it('rolls out a config change as a new release with the new config and the same artifact', async () => {
    await harness.deploy('hello', await harness.webSource());

    const { deploymentId } = await patchConfig(harness.deps, {
      app: 'hello',
      environment: 'production',
      set: { GREETING: 'hi' },
      unset: [],
      deploy: true,
    });
    const deployment = await harness.runToEnd(deploymentId ?? '');

    expect(deployment).toMatchObject({ state: 'succeeded', kind: 'config' });
    expect(await phasesOf(deployment.id)).toEqual([
      'fetch:skipped',
      'build:skipped',
      'release:succeeded',
      'rollout:succeeded',
      'finalize:succeeded',
    ]);
    const [second, first] = await releasesOf();
    expect(second).toMatchObject({ number: 2, id: deployment.releaseId, config: { GREETING: 'hi' } });
    expect(first?.config).toEqual({});
    expect(second?.artifactDir).toBe(first?.artifactDir);
    expect(harness.runtime.startedSpecs().at(-1)?.env).toMatchObject({ GREETING: 'hi', SLIPWAY_RELEASE: '2' });
  });

  it('fails in build with MANIFEST_INVALID when slipway.yaml has an unknown key', async () => {
    const source = await harness.writeSource({ Procfile: 'web: fake:http-server\n', 'slipway.yaml': 'bogus: true\n' });

    const deployment = await harness.deploy('hello', source);

    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'build', code: 'MANIFEST_INVALID' } });
    expect(deployment.failure?.reason).toContain('bogus');
    expect(await phasesOf(deployment.id)).toEqual(['fetch:succeeded', 'build:failed']);
    expect(await releasesOf()).toEqual([]);
    expect(harness.runtime.startedSpecs()).toEqual([]);
  });

  it('says a crash loop is one of OOM kills when the runtime killed the instance for its memory limit', async () => {
    await harness.deploy('hello', await harness.webSource());

    const failed = await harness.deploy('hello', await harness.webSource({ command: 'fake:oom' }));

    expect(failed).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'CRASH_LOOP' } });
    expect(failed.failure?.reason).toContain('code 137, killed for going over its memory limit');
  });

  it('fails a crash-looping release with CRASH_LOOP while the previous release keeps running and stays current', async () => {
    const first = await harness.deploy('hello', await harness.webSource());
    const [stable] = await harness.instancesOf('hello');

    const second = await harness.deploy('hello', await harness.webSource({ command: 'fake:exit 1' }));

    expect(second).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'CRASH_LOOP' } });
    expect(second.failure?.reason).toContain('fake:exit 1');
    expect((await scope()).appEnvironment.currentReleaseId).toBe(first.releaseId);
    const starts = harness.runtime.startedSpecs().filter((s) => s.labels['slipway.release-id'] === second.releaseId);
    // The controller may restart it once more before the rollout's next look; never fewer than the limit.
    expect(starts.length).toBeGreaterThanOrEqual(harness.deps.settings.crashLoopRestarts);
    expect(new Set(starts.map((s) => s.instanceId)).size).toBe(1);
    await waitFor(async () => expect(await harness.instancesOf('hello')).toEqual([stable]));
    expect(await harness.runtime.inspect(stable?.id ?? '')).toMatchObject({ state: 'running' });
    expect(await harness.runtime.inspect(starts[0]?.instanceId ?? '')).toBeUndefined();
    expect(harness.router.upstreamIds()).toEqual([stable?.id]);
  });

  it('returns interrupted when aborted mid-rollout, leaves the deployment running, and a second run finishes it', async () => {
    let isReady = false;
    harness.runtime.setExecHandler(() =>
      isReady ? { exitCode: 0, output: 'ok' } : { exitCode: 1, output: 'not yet' },
    );
    const id = await request(await harness.webSource({ healthCheck: 'exec' }));
    const controller = new AbortController();

    const firstRun = harness.runner.run(id, controller.signal);
    await waitFor(async () => expect(await harness.instancesOf('hello')).toHaveLength(1));
    controller.abort(new Error('shutting down'));

    expect(await firstRun).toBe('interrupted');
    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'running', phase: 'rollout' });

    isReady = true;
    expect(await harness.runner.run(id, new AbortController().signal)).toBe('finished');

    const deployment = await harness.store.deployments.findById(id);
    expect(deployment).toMatchObject({ state: 'succeeded', failure: null });
    expect((await releasesOf()).map((r) => r.number)).toEqual([1]);
    // The resumed rollout adopts the instance the first run started instead of starting another.
    expect(harness.runtime.startedSpecs()).toHaveLength(1);
    expect((await harness.instancesOf('hello')).map((i) => i.state)).toEqual(['healthy']);
    // The rollout record the first run left running is the one the second run finishes: no stale running phase.
    expect(await phasesOf(id)).toEqual([
      'fetch:succeeded',
      'build:succeeded',
      'release:succeeded',
      'rollout:succeeded',
      'finalize:succeeded',
    ]);
  });
});
