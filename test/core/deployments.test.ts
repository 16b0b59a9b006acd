import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDeploymentView, requestDeployment, requestRollback } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('deployment requests', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  const request = async () =>
    requestDeployment(harness.deps, {
      app: 'hello',
      environment: 'production',
      source: { kind: 'path', path: await harness.webSource() },
    });

  it('writes a pending deployment and queues its job', async () => {
    const view = await request();

    expect(view).toMatchObject({ kind: 'deploy', state: 'pending', phase: null, releaseNumber: null, phases: [] });
    expect(await harness.store.jobs.findByDeployment(view.id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('refuses a second request while one is pending with DEPLOYMENT_IN_PROGRESS', async () => {
    const first = await request();

    await expect(request()).rejects.toMatchObject({
      code: 'DEPLOYMENT_IN_PROGRESS',
      details: { deploymentId: first.id },
    });
    const app = await harness.store.apps.findByName('hello');
    const environment = (await harness.store.environments.listByProject(app?.projectId ?? ''))[0];
    expect(await harness.store.deployments.list(app?.id ?? '', environment?.id ?? '', 10)).toHaveLength(1);
  });

  it('accepts a new request once the previous deployment has finished', async () => {
    const first = await request();
    await harness.runToEnd(first.id);

    const second = await request();

    expect(second.state).toBe('pending');
    expect((await getDeploymentView(harness.deps, first.id)).state).toBe('succeeded');
  });

  it('refuses a rollback with NO_RELEASE when the app has never been deployed', async () => {
    await expect(requestRollback(harness.deps, { app: 'hello', environment: 'production' })).rejects.toMatchObject({
      code: 'NO_RELEASE',
    });
  });

  it('refuses a rollback with NO_RELEASE when there is no release older than the current one', async () => {
    await harness.runToEnd((await request()).id);

    await expect(requestRollback(harness.deps, { app: 'hello', environment: 'production' })).rejects.toMatchObject({
      code: 'NO_RELEASE',
    });
  });

  it('refuses a rollback to a release that does not exist with RELEASE_NOT_FOUND', async () => {
    await harness.runToEnd((await request()).id);

    await expect(
      requestRollback(harness.deps, { app: 'hello', environment: 'production', toRelease: 7 }),
    ).rejects.toMatchObject({ code: 'RELEASE_NOT_FOUND', details: { kept: [1] } });
  });

  it('requests a rollback to the release before the current one', async () => {
    await harness.runToEnd((await request()).id);
    await harness.runToEnd((await request()).id);

    const rollback = await requestRollback(harness.deps, { app: 'hello', environment: 'production' });

    expect(rollback).toMatchObject({ kind: 'rollback', state: 'pending', releaseNumber: 1, previousReleaseNumber: 2 });
  });
});
