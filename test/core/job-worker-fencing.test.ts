import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDeploymentRunner,
  createJobWorker,
  requestDeployment,
  type Clock,
  type Failpoint,
  type FailpointName,
  type JobWorker,
  type Store,
} from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

/** Lease time as the worker sees it: moved by the test, as an event loop blocked for longer than the lease would. */
function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    sleep: () => Promise.resolve(),
    advance(ms) {
      nowMs += ms;
    },
  };
}

/** A failpoint that holds the first run reaching `name` until `open()`, and counts every run's arrival at each point. */
function gate(name: FailpointName) {
  const arrivals = new Map<FailpointName, number>();
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const failpoint: Failpoint = async (point) => {
    const count = (arrivals.get(point) ?? 0) + 1;
    arrivals.set(point, count);
    if (point === name && count === 1) await opened;
  };
  return { failpoint, open, arrivals: (point: FailpointName) => arrivals.get(point) ?? 0 };
}

describe('job worker under a stalled lease', () => {
  const leaseMs = 15_000;
  let harness: CoreHarness;
  const workers: JobWorker[] = [];
  const gates: Array<() => void> = [];

  beforeEach(async () => {
    harness = await createCoreHarness({ settings: { jobLeaseMs: leaseMs } });
    await harness.createApp('hello');
  });

  afterEach(async () => {
    for (const open of gates.splice(0)) open();
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await harness.close();
  });

  /** The store with its lease calls counted, so a test can wait until the worker has looked for work again. */
  const countingStore = (): { store: Store; leaseCalls: () => number } => {
    let calls = 0;
    const { store } = harness;
    const jobs = {
      ...store.jobs,
      lease: (...args: Parameters<Store['jobs']['lease']>) => {
        calls += 1;
        return store.jobs.lease(...args);
      },
    };
    return { store: { ...store, jobs }, leaseCalls: () => calls };
  };

  const request = async (): Promise<string> =>
    (
      await requestDeployment(harness.deps, {
        app: 'hello',
        environment: 'production',
        source: { kind: 'path', path: await harness.webSource() },
      })
    ).id;

  const releasesOfHello = async () => {
    const app = await harness.store.apps.findByName('hello');
    const environment = await harness.store.environments.find(app?.projectId ?? '', 'production');
    return harness.store.releases.list(app?.id ?? '', environment?.id ?? '');
  };

  it('never leases again a job it still runs after its lease ran out, so the deployment runs once', async () => {
    const id = await request();
    const clock = manualClock(Date.now());
    const held = gate('start:release');
    gates.push(held.open);
    const { store, leaseCalls } = countingStore();
    const runner = createDeploymentRunner({ ...harness.deps, failpoint: held.failpoint }, harness.fleet);
    const worker = createJobWorker({ ...harness.deps, store, clock }, runner);
    workers.push(worker);
    worker.start();
    await waitFor(() => expect(held.arrivals('start:release')).toBe(1));

    // The event loop was blocked for four lease lengths: the lease has run out while the run is still going.
    clock.advance(4 * leaseMs);
    const callsBefore = leaseCalls();
    worker.poke();
    await waitFor(() => expect(leaseCalls()).toBeGreaterThanOrEqual(callsBefore + 2));

    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'leased', attempts: 1 });
    expect(held.arrivals('start:fetch')).toBe(1);

    held.open();
    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded', failure: null });
    expect(held.arrivals('start:fetch')).toBe(1);
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ attempts: 1 });
    expect(await releasesOfHello()).toHaveLength(1);
  });

  it('fences out every write of a run whose lease another worker took, so its late writes change nothing', async () => {
    const id = await request();
    const clock = manualClock(Date.now());
    const held = gate('start:release');
    gates.push(held.open);
    const runner = createDeploymentRunner({ ...harness.deps, failpoint: held.failpoint }, harness.fleet);
    const stalled = createJobWorker({ ...harness.deps, clock }, runner);
    workers.push(stalled);
    stalled.start();
    await waitFor(() => expect(held.arrivals('start:release')).toBe(1));

    clock.advance(4 * leaseMs);
    const successor = createJobWorker({ ...harness.deps, clock }, runner);
    workers.push(successor);
    successor.start();
    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ attempts: 2 });
    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded' });
    const live = await releasesOfHello();
    expect(live).toHaveLength(1);

    // The stalled run wakes up and goes on where it stopped: every write it tries is refused.
    held.open();
    await stalled.stop();

    expect(await harness.store.deployments.findById(id)).toMatchObject({
      state: 'succeeded',
      failure: null,
      releaseId: live[0]?.id,
    });
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(await releasesOfHello()).toHaveLength(1);
    expect(await harness.deps.artifacts.hasArtifact(live[0]?.id ?? '')).toBe(true);
  });
});
