import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, deleteApp, requestDeployment } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('apps', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('creates the project with a production environment on the first app, and an empty app environment', async () => {
    const view = await createApp(harness.deps, { name: 'hello', project: 'default' });

    const project = await harness.store.projects.findByName('default');
    const environments = await harness.store.environments.listByProject(project?.id ?? '');
    expect(environments.map((e) => e.name)).toEqual(['production']);
    expect(await harness.store.appEnvironments.listByApp(view.id)).toEqual([
      expect.objectContaining({ environmentId: environments[0]?.id, currentReleaseId: null, scale: {}, config: {} }),
    ]);
    expect(view).toMatchObject({
      name: 'hello',
      project: 'default',
      environments: [{ name: 'production', currentRelease: null, routes: [], instances: { total: 0, healthy: 0 } }],
    });
  });

  it('reuses the project and its environment for a second app', async () => {
    await createApp(harness.deps, { name: 'hello', project: 'default' });
    await createApp(harness.deps, { name: 'world', project: 'default' });

    expect(await harness.store.projects.list()).toHaveLength(1);
    const project = await harness.store.projects.findByName('default');
    expect(await harness.store.environments.listByProject(project?.id ?? '')).toHaveLength(1);
  });

  it('refuses a second app of the same name with APP_ALREADY_EXISTS', async () => {
    await createApp(harness.deps, { name: 'hello', project: 'default' });

    await expect(createApp(harness.deps, { name: 'hello', project: 'other' })).rejects.toMatchObject({
      code: 'APP_ALREADY_EXISTS',
    });
    expect(await harness.store.projects.findByName('other')).toBeUndefined();
  });

  it('refuses to delete an app while its deployment is pending, with DEPLOYMENT_IN_PROGRESS', async () => {
    await createApp(harness.deps, { name: 'hello', project: 'default' });
    const source = await harness.webSource();
    await requestDeployment(harness.deps, {
      app: 'hello',
      environment: 'production',
      source: { kind: 'path', path: source },
    });

    await expect(deleteApp(harness.deps, harness.fleet, 'hello')).rejects.toMatchObject({
      code: 'DEPLOYMENT_IN_PROGRESS',
    });
    expect(await harness.store.apps.findByName('hello')).toBeDefined();
  });

  it('refuses the deletion when an upload is accepted while the deletion runs, so no deployment is left orphaned', async () => {
    await createApp(harness.deps, { name: 'hello', project: 'default' });
    await harness.deploy('hello', await harness.webSource());
    const { store } = harness;
    let acceptedId: string | undefined;
    // The upload's deployment is requested at the moment the deletion stops the app's instances (after its check).
    const racing = {
      ...store,
      instances: {
        ...store.instances,
        list: async (filter?: Parameters<typeof store.instances.list>[0]) => {
          acceptedId ??= (
            await requestDeployment(harness.deps, {
              app: 'hello',
              environment: 'production',
              source: { kind: 'archive', file: '/uploads/x.tar.gz', fileName: 'x.tar.gz', sizeBytes: 1 },
            })
          ).id;
          return store.instances.list(filter);
        },
      },
    };

    const refusal = await deleteApp({ ...harness.deps, store: racing }, harness.fleet, 'hello').catch(
      (error: unknown) => error,
    );

    expect(refusal).toMatchObject({ code: 'DEPLOYMENT_IN_PROGRESS', details: { deploymentId: acceptedId } });
    expect(await harness.store.apps.findByName('hello')).toBeDefined();
    expect(await harness.store.deployments.findById(acceptedId ?? '')).toMatchObject({ state: 'pending' });
  });

  it('deletes an app: its route leaves the table, its instances stop, its records go', async () => {
    await createApp(harness.deps, { name: 'hello', project: 'default' });
    await harness.deploy('hello', await harness.webSource());
    const [instance] = await harness.instancesOf('hello');

    await deleteApp(harness.deps, harness.fleet, 'hello');

    expect(await harness.store.apps.findByName('hello')).toBeUndefined();
    expect(await harness.runtime.inspect(instance?.id ?? '')).toBeUndefined();
    expect(harness.router.latest().routes).toEqual([]);
    expect(await harness.store.instances.list()).toEqual([]);
  });
});
