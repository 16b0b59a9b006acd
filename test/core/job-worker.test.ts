import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestDeployment, createJobWorker, type JobWorker } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

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

  it('on start removes partial uploads and uploads of finished or missing deployments, keeping pending ones', async () => {
    const pending = await request(await harness.webSource());
    const past = new Date(Date.now() - 60_000);
    const files = {
      pending: harness.deps.artifacts.uploadPath(pending),
      cutShort: `${harness.deps.artifacts.uploadPath('dep_killed')}.partial`,
      orphan: harness.deps.artifacts.uploadPath('dep_gone'),
    };
    await mkdir(dirname(files.pending), { recursive: true });
    for (const file of Object.values(files)) {
      await writeFile(file, 'archive bytes');
      await utimes(file, past, past);
    }
    // The pending deployment is not run (no slots), so its upload is still wanted when the worker looks.
    const worker = createJobWorker(
      { ...harness.deps, settings: { ...harness.deps.settings, deploymentConcurrency: 0 } },
      harness.runner,
    );
    workers.push(worker);
    // Being received now, after this slipwayd started: never judged.
    const fresh = `${harness.deps.artifacts.uploadPath('dep_receiving')}.partial`;
    await writeFile(fresh, 'still arriving');
    // The file system stamps with a coarse clock, possibly a few ms behind: stamp it with the precise one.
    await utimes(fresh, new Date(), new Date());
    worker.start();

    await waitFor(async () => expect(await readdir(dirname(files.pending))).toHaveLength(2));
    expect((await readdir(dirname(files.pending))).sort()).toEqual([basename(files.pending), basename(fresh)].sort());
  });

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

  it('takes back at once a job a dead incarnation of this node leased, instead of waiting for its lease to run out', async () => {
    const id = await request(await harness.webSource());
    const { nodeName } = harness.deps.settings;
    await harness.store.jobs.lease(`${nodeName}/wkr_dead`, 10 * 60_000, Date.now());

    startWorker();

    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
    expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ attempts: 2 });
    expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded' });
  });

  it('leaves a job another node leased alone while its lease runs', async () => {
    const foreign = await request(await harness.webSource());
    await harness.store.jobs.lease('another-node/wkr_alive', 10 * 60_000, Date.now());
    await harness.createApp('second');
    const own = (
      await requestDeployment(harness.deps, {
        app: 'second',
        environment: 'production',
        source: { kind: 'path', path: await harness.webSource() },
      })
    ).id;

    startWorker();

    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(own)).toMatchObject({ state: 'done' }));
    expect(await harness.store.jobs.findByDeployment(foreign)).toMatchObject({
      state: 'leased',
      leaseOwner: 'another-node/wkr_alive',
      attempts: 1,
    });
    expect(await harness.store.deployments.findById(foreign)).toMatchObject({ state: 'pending' });
  });

  it('requeues a running deployment whose job is over, so it never stays running with nothing to run it', async () => {
    const id = await request(await harness.webSource());
    await harness.store.jobs.lease('ghost', 60_000, Date.now());
    const job = await harness.store.jobs.findByDeployment(id);
    await harness.store.jobs.finish({ jobId: job?.id ?? '', owner: 'ghost', attempt: 1 }, { state: 'done' });
    const deployment = await harness.store.deployments.findById(id);
    if (deployment) await harness.store.deployments.update({ ...deployment, state: 'running', phase: 'build' });

    startWorker();

    await waitFor(async () =>
      expect(await harness.store.deployments.findById(id)).toMatchObject({ state: 'succeeded' }),
    );
    const requeued = await harness.store.jobs.findByDeployment(id);
    expect(requeued?.id).not.toBe(job?.id);
    await waitFor(async () => expect(await harness.store.jobs.findByDeployment(id)).toMatchObject({ state: 'done' }));
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
