import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreHarness, waitFor, type CoreHarness } from '@slipway/testkit';
import { requestDeployment } from '../use-cases/deployments.js';
import { createJobWorker, type JobWorker } from './job-worker.js';

describe('job worker', () => {
  let harness: CoreHarness;
  const workers: JobWorker[] = [];

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await harness.close();
  });

  const startWorker = (): JobWorker => {
    const worker = createJobWorker(harness.deps, harness.runner);
    workers.push(worker);
    worker.start();
    return worker;
  };
  const request = async (source: string) =>
    (
      await requestDeployment(harness.deps, {
        app: 'hello',
        environment: 'production',
        source: { kind: 'path', path: source },
      })
    ).id;

  it('leases a queued deployment, runs it to success and marks its job done', async () => {
    const id = await request(await harness.webSource());

    startWorker();

    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ attempts: 1, lastError: null });
    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded' });
  });

  it('marks the job done when the deployment fails, since a failure is a result', async () => {
    const id = await request(
      await harness.writeSource({ Procfile: 'web: fake:http-server\n', 'slipway.yaml': 'bogus: 1\n' }),
    );

    startWorker();

    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    expect(await harness.store.deployments.findById(id)).toMatchObject({
      state: 'failed',
      failure: { code: 'MANIFEST_INVALID' },
    });
  });

  it('on stop, interrupts the running deployment and puts its job back so the next worker resumes it', async () => {
    let isReady = false;
    harness.runtime.setExecHandler(() =>
      isReady ? { exitCode: 0, output: 'ok' } : { exitCode: 1, output: 'not yet' },
    );
    const id = await request(await harness.webSource({ healthCheck: 'exec' }));
    const first = startWorker();
    await waitFor(async () => {
      expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'running', phase: 'rollout' });
      expect(await harness.instancesOf('hello')).toHaveLength(1);
    });

    await first.stop();

    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'running', phase: 'rollout' });
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      leaseOwner: null,
      lastError: 'interrupted',
    });

    isReady = true;
    startWorker();

    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ attempts: 2 });
    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded' });
    // The second worker adopted the instance the first one started.
    expect(harness.runtime.startedSpecs()).toHaveLength(1);
  });
});
