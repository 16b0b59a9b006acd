/**
 * A deployment job that keeps crashing — its run throws, or the worker running it dies holding it — is retried a
 * bounded number of times, then its deployment fails with JOB_RETRIES_EXHAUSTED instead of being retried forever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobWorker, requestDeployment, type Clock, type DeploymentRunner, type JobWorker } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('job worker: retries of a crashing job', () => {
  let harness: CoreHarness;
  const workers: JobWorker[] = [];
  /** The worker's clock runs this far ahead of the system's: a crashed job's retry delay passes at once. */
  let aheadMs = 0;
  const clock = (base: Clock): Clock => ({ ...base, nowMs: () => base.nowMs() + aheadMs });

  beforeEach(async () => {
    aheadMs = 0;
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await harness.close();
  });

  const startWorker = (runner: DeploymentRunner, jobMaxAttempts: number): JobWorker => {
    const deps = {
      ...harness.deps,
      clock: clock(harness.deps.clock),
      settings: { ...harness.deps.settings, jobMaxAttempts },
    };
    const worker = createJobWorker(deps, runner);
    workers.push(worker);
    worker.start();
    return worker;
  };
  const request = async () =>
    (
      await requestDeployment(harness.deps, {
        app: 'hello',
        environment: 'production',
        source: { kind: 'path', path: await harness.webSource() },
      })
    ).id;

  it('fails the deployment with JOB_RETRIES_EXHAUSTED after its run threw on each of the allowed attempts, not before', async () => {
    const id = await request();
    let runs = 0;
    const crashing: DeploymentRunner = {
      async run() {
        runs += 1;
        throw new Error(`the run crashed (attempt ${runs})`);
      },
    };

    startWorker(crashing, 3);

    // Each crash puts the job back to run a few seconds later: the worker's clock is moved there.
    const failed = await waitFor(async () => {
      const job = await harness.store.jobs.findByDeployment(id);
      if (job?.state === 'queued') aheadMs = Math.max(aheadMs, job.runAfterMs - Date.now());
      const deployment = await harness.store.deployments.findById(id);
      expect(deployment?.state).toBe('failed');
      return deployment;
    });
    expect(runs).toBe(3);
    expect(failed?.failure).toMatchObject({ code: 'JOB_RETRIES_EXHAUSTED' });
    expect(failed?.failure?.reason).toContain('started 3 times without finishing');
    expect(failed?.failure?.reason).toContain('the run crashed (attempt 3)');
    await waitFor(async () => {
      // Leased a fourth time only to be ended: never run again.
      expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'failed', attempts: 4 });
      const events = await harness.store.events.list(id, 0, 100);
      expect(events.at(-1)?.payload).toMatchObject({ state: 'failed', failure: { code: 'JOB_RETRIES_EXHAUSTED' } });
    });
    expect(runs).toBe(3);
  });

  it('counts workers that died holding the job, and still runs it on the last allowed attempt', async () => {
    const exhausted = await request();
    // Two workers of other nodes leased it in turn and died: their leases ran out.
    for (const owner of ['node-a/wkr_dead', 'node-b/wkr_dead']) {
      expect(await harness.store.jobs.lease(owner, 1, Date.now() + aheadMs)).toMatchObject({ deploymentId: exhausted });
      aheadMs += 1_000;
    }

    startWorker(harness.runner, 3);

    // Attempt 3 of 3: it runs, and succeeds.
    const succeeded = await waitFor(async () => {
      const deployment = await harness.store.deployments.findById(exhausted);
      expect(deployment?.state).toBe('succeeded');
      return deployment;
    });
    expect(succeeded?.failure).toBeNull();
    await Promise.all(workers.splice(0).map((w) => w.stop()));

    const next = await request();
    for (const owner of ['node-a/wkr_dead', 'node-b/wkr_dead', 'node-c/wkr_dead']) {
      expect(await harness.store.jobs.lease(owner, 1, Date.now() + aheadMs)).toMatchObject({ deploymentId: next });
      aheadMs += 1_000;
    }

    startWorker(harness.runner, 3);

    const failed = await waitFor(async () => {
      const deployment = await harness.store.deployments.findById(next);
      expect(deployment?.state).toBe('failed');
      return deployment;
    });
    expect(failed?.failure).toMatchObject({ code: 'JOB_RETRIES_EXHAUSTED' });
    expect(failed?.failure?.reason).toContain('started 3 times without finishing');
    expect(failed?.failure?.reason).toContain('none recorded (the worker running it died)');
  });
});
