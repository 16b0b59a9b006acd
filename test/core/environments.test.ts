/** Environments of an app over real adapters: each has its own config, releases, routes and strategy override. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEnvironment,
  deleteEnvironment,
  getConfig,
  listEnvironments,
  patchConfig,
  requestDeployment,
  resolveEnvironmentStrategy,
  setEnvironmentStrategy,
} from '@slipway/core';
import { isSlipwayError, type ErrorCode } from '@slipway/contract';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isSlipwayError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a coded error');
}

describe('environments', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('shop');
  });

  afterEach(async () => {
    await harness.close();
  });

  it('creates an environment with its own config, release numbers and default host, and lists it', async () => {
    const { deps } = harness;
    expect(await codeOf(getConfig(deps, { app: 'shop', environment: 'staging' }))).toBe('ENVIRONMENT_NOT_FOUND');
    const created = await createEnvironment(deps, { app: 'shop', environment: 'staging' });
    expect(created).toMatchObject({ name: 'staging', defaultHost: 'shop-staging.localhost', currentRelease: null });
    expect(await codeOf(createEnvironment(deps, { app: 'shop', environment: 'staging' }))).toBe(
      'ENVIRONMENT_ALREADY_EXISTS',
    );
    expect((await listEnvironments(deps, 'shop')).map((e) => e.name)).toEqual(['production', 'staging']);
    expect((await harness.store.hostClaims.findByHost('shop-staging.localhost'))?.origin).toBe('default');

    await patchConfig(deps, {
      app: 'shop',
      environment: 'staging',
      set: { MODE: 'staging' },
      unset: [],
      deploy: false,
    });
    expect((await getConfig(deps, { app: 'shop', environment: 'staging' })).config).toEqual({ MODE: 'staging' });
    expect((await getConfig(deps, { app: 'shop', environment: 'production' })).config).toEqual({});

    const view = await requestDeployment(deps, {
      app: 'shop',
      environment: 'staging',
      source: { kind: 'path', path: await harness.webSource() },
    });
    expect((await harness.runToEnd(view.id)).state).toBe('succeeded');
    const [staging] = (await listEnvironments(deps, 'shop')).filter((e) => e.name === 'staging');
    expect(staging).toMatchObject({ currentRelease: 1, instances: 1 });
    const routes = await harness.store.routes.list();
    expect(routes.map((r) => r.host)).toEqual(['shop-staging.localhost']);
  });

  it('stores a strategy override the rollout engine resolves instead of the manifest one', async () => {
    const { deps } = harness;
    await createEnvironment(deps, { app: 'shop', environment: 'staging' });
    const app = (await harness.store.apps.findByName('shop'))!;
    const env = (await harness.store.environments.find(app.projectId, 'staging'))!;
    const manifest = {
      processes: {},
      strategy: { type: 'rolling', maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 600 },
    } as never;
    expect(
      (await resolveEnvironmentStrategy(harness.store, { appId: app.id, environmentId: env.id }, manifest)).type,
    ).toBe('rolling');
    const view = await setEnvironmentStrategy(deps, {
      app: 'shop',
      environment: 'staging',
      strategy: { type: 'recreate', progressDeadlineSeconds: 120 },
    });
    expect(view.strategy).toEqual({ type: 'recreate', progressDeadlineSeconds: 120 });
    expect(await resolveEnvironmentStrategy(harness.store, { appId: app.id, environmentId: env.id }, manifest)).toEqual(
      {
        type: 'recreate',
        progressDeadlineSeconds: 120,
      },
    );
    await setEnvironmentStrategy(deps, { app: 'shop', environment: 'staging', strategy: null });
    expect(
      (await resolveEnvironmentStrategy(harness.store, { appId: app.id, environmentId: env.id }, manifest)).type,
    ).toBe('rolling');
  });

  it('refuses to delete an environment with running instances unless forced, and the only environment at all', async () => {
    const { deps, fleet } = harness;
    expect(await codeOf(deleteEnvironment(deps, fleet, { app: 'shop', environment: 'production', force: true }))).toBe(
      'VALIDATION_FAILED',
    );
    await createEnvironment(deps, { app: 'shop', environment: 'staging' });
    const view = await requestDeployment(deps, {
      app: 'shop',
      environment: 'staging',
      source: { kind: 'path', path: await harness.webSource() },
    });
    await harness.runToEnd(view.id);
    expect(await codeOf(deleteEnvironment(deps, fleet, { app: 'shop', environment: 'staging', force: false }))).toBe(
      'ENVIRONMENT_IN_USE',
    );
    expect((await listEnvironments(deps, 'shop')).map((e) => e.name)).toEqual(['production', 'staging']);

    await deleteEnvironment(deps, fleet, { app: 'shop', environment: 'staging', force: true });
    expect((await listEnvironments(deps, 'shop')).map((e) => e.name)).toEqual(['production']);
    expect(await harness.instancesOf('shop')).toEqual([]);
    expect(await harness.store.hostClaims.findByHost('shop-staging.localhost')).toBeUndefined();
    expect(await codeOf(getConfig(deps, { app: 'shop', environment: 'staging' }))).toBe('ENVIRONMENT_NOT_FOUND');
    // Created again, it starts afresh.
    expect((await createEnvironment(deps, { app: 'shop', environment: 'staging' })).currentRelease).toBeNull();
  });
});
