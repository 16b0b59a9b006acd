import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelDeployment,
  createDeploymentRunner,
  createJobWorker,
  EventBus,
  leaseOf,
  readDeploymentEvents,
  requestDeployment,
  type Clock,
  type DeploymentRecord,
  type Failpoint,
  type InstanceRecord,
  type JobWorker,
} from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

/** Lease time as the worker sees it, moved by the test only. */
function manualClock(startMs: number): Clock {
  return { nowMs: () => startMs, sleep: () => Promise.resolve() };
}

/** A git remote that accepts the connection and never answers: the fetch waits on it until its run stops. */
async function silentRemote(): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.on('error', () => undefined);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    }),
  );
  return { server, url: `http://127.0.0.1:${port}/repo.git`, connections: () => connections };
}

/** An instance that serves or is on its way to: a retired one is draining, stopping, stopped or gone. */
const isLive = (instance: InstanceRecord): boolean =>
  instance.state === 'starting' || instance.state === 'healthy' || instance.state === 'unhealthy';

describe('cancelling a deployment', () => {
  let harness: CoreHarness;
  const workers: JobWorker[] = [];
  const servers: Server[] = [];

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    await harness.createApp('other');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    for (const server of servers.splice(0)) server.close();
    await harness.close();
  });

  const startWorker = (): JobWorker => {
    const worker = createJobWorker(harness.deps, harness.runner);
    workers.push(worker);
    worker.start();
    return worker;
  };

  const request = async (app: string, source: Parameters<typeof requestDeployment>[1]['source']) =>
    (await requestDeployment(harness.deps, { app, environment: 'production', source })).id;

  const stored = async (id: string): Promise<DeploymentRecord> => {
    const deployment = await harness.store.deployments.findById(id);
    if (deployment === undefined) throw new Error(`deployment ${id} vanished`);
    return deployment;
  };

  const endsCancelled = (id: string) =>
    waitFor(async () => expect(await stored(id)).toMatchObject({ state: 'cancelled' }), { timeoutMs: 10_000 });

  const stateEvents = async (id: string) =>
    (await readDeploymentEvents(harness.deps, id, 0)).filter((e) => e.type === 'state');

  const logLines = async (id: string) =>
    (await readDeploymentEvents(harness.deps, id, 0)).flatMap((e) => (e.type === 'log' ? [e.line] : []));

  const appEnvironmentOf = async (app: string) => {
    const record = await harness.store.apps.findByName(app);
    const environment = await harness.store.environments.find(record?.projectId ?? '', 'production');
    return harness.store.appEnvironments.find(record?.id ?? '', environment?.id ?? '');
  };

  it('cancels a pending deployment at once, marking its job done so no run ever starts', async () => {
    const id = await request('hello', { kind: 'path', path: await harness.webSource() });

    const view = await cancelDeployment(harness.deps, { id, by: 'alice' });

    expect(view).toMatchObject({ state: 'cancelled', cancellation: { by: 'alice' } });
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' });
    expect(await harness.runner.run(id, new AbortController().signal)).toBe('finished');
    expect(await stored(id)).toMatchObject({ state: 'cancelled', phase: null, releaseId: null });
    expect(await stateEvents(id)).toEqual([expect.objectContaining({ state: 'cancelled', cancelledBy: 'alice' })]);
    expect(await harness.instancesOf('hello')).toEqual([]);
  });

  it('leaves a pending deployment whose job a worker just leased to that run, which ends it before it starts', async () => {
    const id = await request('hello', { kind: 'path', path: await harness.webSource() });
    const job = await harness.store.jobs.lease('local/wkr_1', 60_000, Date.now());
    if (job === undefined) throw new Error('no job to lease');

    const view = await cancelDeployment(harness.deps, { id, by: 'alice' });
    expect(view).toMatchObject({ state: 'pending', cancellation: { by: 'alice' } });
    expect(await harness.runner.run(id, new AbortController().signal, leaseOf(job))).toBe('finished');

    expect(await stored(id)).toMatchObject({ state: 'cancelled', phase: null, releaseId: null });
    expect(await harness.store.phases.list(id)).toEqual([]);
    expect(await logLines(id)).toContain('deployment cancelled by alice before it started');
    expect(await stateEvents(id)).toEqual([expect.objectContaining({ state: 'cancelled', cancelledBy: 'alice' })]);
  });

  it('deletes the uploaded archive of a pending deployment it cancels', async () => {
    const id = harness.deps.ids.next('dep');
    const file = harness.deps.artifacts.uploadPath(id);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'not read: the deployment never runs');
    await requestDeployment(harness.deps, {
      id,
      app: 'hello',
      environment: 'production',
      source: { kind: 'archive', file, fileName: 'app.tar.gz', sizeBytes: 35 },
    });

    await cancelDeployment(harness.deps, { id, by: 'alice' });

    expect(await stored(id)).toMatchObject({ state: 'cancelled' });
    expect(existsSync(file)).toBe(false);
  });

  it('stops a run held by a git remote that never answers, and frees the build slot at once', async () => {
    const remote = await silentRemote();
    servers.push(remote.server);
    startWorker();
    const id = await request('hello', { kind: 'git', url: remote.url });
    await waitFor(async () => {
      expect(await stored(id)).toMatchObject({ state: 'running', phase: 'fetch' });
      expect(remote.connections()).toBeGreaterThan(0);
    });

    const view = await cancelDeployment(harness.deps, { id, by: 'alice' });
    expect(view).toMatchObject({ state: 'running', cancellation: { by: 'alice' } });
    await endsCancelled(id);

    expect(await stored(id)).toMatchObject({ phase: 'fetch', failure: null, cancellation: { by: 'alice' } });
    expect((await harness.store.phases.list(id)).at(-1)).toMatchObject({
      phase: 'fetch',
      state: 'failed',
      detail: 'cancelled by alice',
    });
    // The worker marks the job done once the run has returned, just after the deployment's final state is stored.
    await waitFor(async () =>
      expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done', attempts: 1 }),
    );
    expect(await logLines(id)).toEqual(
      expect.arrayContaining(['cancel requested by alice', 'deployment cancelled by alice in fetch']),
    );
    // The only build slot is free again: another app's deployment goes through fetch and build to the end.
    const next = await request('other', { kind: 'path', path: await harness.webSource() });
    await waitFor(async () => expect(await stored(next)).toMatchObject({ state: 'succeeded' }), { timeoutMs: 10_000 });
    expect(remote.connections()).toBe(1);
  });

  it('stops the run from the stored request when the wake-up never reaches its worker (another process asked)', async () => {
    const remote = await silentRemote();
    servers.push(remote.server);
    startWorker();
    const id = await request('hello', { kind: 'git', url: remote.url });
    await waitFor(async () => expect(remote.connections()).toBe(1));

    // Another slipwayd's API over the same store: its in-process wake-up reaches no worker here.
    await cancelDeployment({ ...harness.deps, events: new EventBus() }, { id, by: 'erin' });
    await endsCancelled(id);

    expect(await stored(id)).toMatchObject({ phase: 'fetch', cancellation: { by: 'erin' } });
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ attempts: 1 });
  });

  it('kills a running build command and ends cancelled, with no release made', async () => {
    startWorker();
    const source = await harness.writeSource({
      Procfile: 'web: fake:http-server\n',
      'slipway.yaml': 'build:\n  command: echo build started; sleep 60\n',
    });
    const id = await request('hello', { kind: 'path', path: source });
    await waitFor(async () => expect(await logLines(id)).toContain('build started'), { timeoutMs: 10_000 });

    await cancelDeployment(harness.deps, { id, by: 'bob' });
    await endsCancelled(id);

    expect(await stored(id)).toMatchObject({ phase: 'build', releaseId: null });
    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    const next = await request('other', { kind: 'path', path: await harness.webSource() });
    await waitFor(async () => expect(await stored(next)).toMatchObject({ state: 'succeeded' }), { timeoutMs: 10_000 });
  });

  it('retires the new instances of a cancelled rollout; the stable release keeps serving on unchanged routes', async () => {
    const first = await harness.deploy('hello', await harness.webSource());
    expect(first.state).toBe('succeeded');
    const stable = await harness.instancesOf('hello');
    const routesBefore = harness.router.upstreamIds();
    // Release 2's health check never passes: its rollout waits for an instance that never becomes healthy.
    harness.runtime.setExecHandler(() => ({ exitCode: 1, output: 'not yet' }));
    startWorker();
    const id = await request('hello', { kind: 'path', path: await harness.webSource({ healthCheck: 'exec' }) });
    await waitFor(async () => {
      expect(await stored(id)).toMatchObject({ phase: 'rollout' });
      expect((await harness.instancesOf('hello')).length).toBeGreaterThan(stable.length);
    });

    await cancelDeployment(harness.deps, { id, by: 'carol' });
    await endsCancelled(id);

    const cancelled = await stored(id);
    const left = await harness.instancesOf('hello');
    expect(left.filter((i) => i.releaseId === cancelled.releaseId && isLive(i))).toEqual([]);
    expect(left.filter((i) => i.releaseId === first.releaseId && i.state === 'healthy')).toHaveLength(stable.length);
    expect((await appEnvironmentOf('hello'))?.currentReleaseId).toBe(first.releaseId);
    expect(harness.router.upstreamIds()).toEqual(routesBefore);
    expect(await logLines(id)).toContain('deployment cancelled by carol in rollout');
  });

  it('refuses to cancel a finished deployment with DEPLOYMENT_NOT_CANCELLABLE', async () => {
    const done = await harness.deploy('hello', await harness.webSource());
    await expect(cancelDeployment(harness.deps, { id: done.id, by: 'alice' })).rejects.toMatchObject({
      code: 'DEPLOYMENT_NOT_CANCELLABLE',
    });
    expect(await stored(done.id)).toMatchObject({ state: 'succeeded', cancellation: null });
    await expect(cancelDeployment(harness.deps, { id: 'dep_missing', by: 'alice' })).rejects.toMatchObject({
      code: 'DEPLOYMENT_NOT_FOUND',
    });
  });

  it('answers a repeated cancel as it stands, keeping the first request', async () => {
    const remote = await silentRemote();
    servers.push(remote.server);
    startWorker();
    const id = await request('hello', { kind: 'git', url: remote.url });
    await waitFor(async () => expect(remote.connections()).toBe(1));

    await cancelDeployment(harness.deps, { id, by: 'alice' });
    const again = await cancelDeployment(harness.deps, { id, by: 'bob' });
    expect(again.cancellation).toMatchObject({ by: 'alice' });
    await endsCancelled(id);
    const afterEnd = await cancelDeployment(harness.deps, { id, by: 'bob' });

    expect(afterEnd).toMatchObject({ state: 'cancelled', cancellation: { by: 'alice' } });
    expect((await logLines(id)).filter((line) => line.startsWith('cancel requested'))).toEqual([
      'cancel requested by alice',
    ]);
    expect(await stateEvents(id)).toEqual([
      expect.objectContaining({ state: 'running' }),
      expect.objectContaining({ state: 'cancelled', cancelledBy: 'alice' }),
    ]);
  });

  it('ends cancelled after a restart when the cancel came before the run stopped, instead of resuming', async () => {
    const first = await harness.deploy('hello', await harness.webSource());
    const stable = await harness.instancesOf('hello');
    // The first incarnation stops answering in rollout, once it has started release 2's instances: a process killed.
    let wakeDeadRun: (() => void) | undefined;
    const hang: Failpoint = (name) =>
      name === 'rollout:step'
        ? new Promise<void>((_resolve, reject) => (wakeDeadRun = () => reject(new Error('the process was killed'))))
        : Promise.resolve();
    const id = await request('hello', { kind: 'path', path: await harness.webSource() });
    const { nodeName, jobLeaseMs } = harness.deps.settings;
    // `deploy` ran the first deployment without a worker: its job is still queued, and is oldest.
    const leaseJob = () => harness.store.jobs.lease(`${nodeName}/wkr_dead`, jobLeaseMs, Date.now());
    let job = await leaseJob();
    while (job !== undefined && job.deploymentId !== id) {
      await harness.store.jobs.finish(leaseOf(job), { state: 'done' });
      job = await leaseJob();
    }
    if (job === undefined) throw new Error('no job to lease');
    // A killed process takes its controller with it: the first incarnation's passes are run by hand, until its
    // rollout has started release 2's instances and not one pass more.
    await harness.stop();
    const deadRunner = createDeploymentRunner({ ...harness.deps, failpoint: hang }, harness.fleet);
    const deadRun = deadRunner.run(id, new AbortController().signal, leaseOf(job));
    await waitFor(async () => {
      await harness.reconciler.reconcile();
      expect((await harness.instancesOf('hello')).some((i) => i.releaseId !== first.releaseId)).toBe(true);
    });
    await waitFor(() => expect(wakeDeadRun).toBeDefined());
    const started = (await harness.instancesOf('hello')).filter((i) => i.releaseId !== first.releaseId);
    expect(started.length).toBeGreaterThan(0);

    // Asked with nobody listening in process: only the stored request carries it across the restart.
    const restarted = harness.restartControlPlane();
    await cancelDeployment(restarted.deps, { id, by: 'dave' });
    const worker = createJobWorker({ ...restarted.deps, clock: manualClock(Date.now()) }, restarted.runner);
    workers.push(worker);
    worker.start();
    await endsCancelled(id);

    await waitFor(async () =>
      expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done', attempts: 2 }),
    );
    expect(await stored(id)).toMatchObject({ phase: 'rollout', cancellation: { by: 'dave' } });
    const left = await harness.instancesOf('hello');
    expect(left.filter((i) => started.some((s) => s.id === i.id) && isLive(i))).toEqual([]);
    expect((await appEnvironmentOf('hello'))?.currentReleaseId).toBe(first.releaseId);
    expect(left.filter((i) => i.releaseId === first.releaseId && i.state === 'healthy')).toHaveLength(stable.length);
    // The first incarnation's run, woken late, is fenced out and changes nothing.
    wakeDeadRun?.();
    expect(await deadRun).toBe('interrupted');
    expect(await stateEvents(id)).toEqual([
      expect.objectContaining({ state: 'running' }),
      expect.objectContaining({ state: 'cancelled', cancelledBy: 'dave' }),
    ]);
    expect(await logLines(id)).not.toContain('resuming after an interruption in rollout: continuing rollout');
  });
});
