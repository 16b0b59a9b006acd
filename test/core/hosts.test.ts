import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  coveringHosts,
  isReservedHost,
  createApp,
  requestDeployment,
  requestRollback,
  grantHost,
  listHosts,
  revokeHost,
  patchConfig,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('host ownership rules', () => {
  it('lists a host and every wildcard the edge would serve it by', () => {
    expect(coveringHosts('a.b.example.com')).toEqual(['a.b.example.com', '*.b.example.com', '*.example.com', '*.com']);
    expect(coveringHosts('*.example.com')).toEqual(['*.example.com', '*.com']);
  });

  it('reserves the default domain, hosts under it, wildcards over it and one-label wildcards', () => {
    expect(isReservedHost('localhost', 'localhost')).toBe(true);
    expect(isReservedHost('victim.localhost', 'localhost')).toBe(true);
    expect(isReservedHost('*.localhost', 'localhost')).toBe(true);
    expect(isReservedHost('*.example.com', 'apps.example.com')).toBe(true);
    expect(isReservedHost('*.com', 'localhost')).toBe(true);
    expect(isReservedHost('shop.example.com', 'localhost')).toBe(false);
    expect(isReservedHost('*.shop.example.com', 'apps.example.com')).toBe(false);
  });
});

describe('hosts belong to one project', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await createApp(harness.deps, { name: 'victim', project: 'beta' });
    await createApp(harness.deps, { name: 'attacker', project: 'alpha' });
  });

  afterEach(async () => {
    await harness.close();
  });

  /** Deploys `app` with these manifest routes and runs it to its end. */
  const deployRoutes = async (app: string, routes: string) => {
    const source = await harness.webSource({ manifestYaml: `routes:\n${routes}` });
    const view = await requestDeployment(harness.deps, {
      app,
      environment: 'production',
      source: { kind: 'path', path: source },
    });
    return harness.runToEnd(view.id);
  };
  const hostsOf = async () => (await listHosts(harness.deps)).map((h) => [h.host, h.project, h.origin, h.app]);

  it("claims an app's default host when the app is created, before any deploy", async () => {
    expect(await hostsOf()).toEqual([
      ['attacker.localhost', 'alpha', 'default', 'attacker'],
      ['victim.localhost', 'beta', 'default', 'victim'],
    ]);
  });

  it("refuses a route on another project's host at any path, however it is spelled", async () => {
    for (const path of ['/login', '/', '//', '///', '/login/']) {
      const deployment = await deployRoutes('attacker', `  - { host: victim.localhost, path: "${path}" }\n`);
      expect({ path, state: deployment.state, code: deployment.failure?.code }).toEqual({
        path,
        state: 'failed',
        code: 'HOST_TAKEN',
      });
    }
    expect(await harness.store.routes.list()).toEqual([]);
    expect(await harness.instancesOf('attacker')).toEqual([]);
  });

  it("refuses a route on a host under the default domain that no app of the project owns, so an app's name cannot be squatted", async () => {
    const deployment = await deployRoutes('attacker', '  - { host: later.localhost }\n');
    expect(deployment.failure?.code).toBe('HOST_RESERVED');
    await createApp(harness.deps, { name: 'later', project: 'beta' });
    expect((await hostsOf()).find(([host]) => host === 'later.localhost')).toEqual([
      'later.localhost',
      'beta',
      'default',
      'later',
    ]);
  });

  it('gives a new host to the first project that routes on it, wildcards included, and refuses it to the others', async () => {
    expect((await deployRoutes('victim', '  - { host: shop.example.com, path: /api }\n')).state).toBe('succeeded');
    for (const host of ['shop.example.com', '*.example.com']) {
      const deployment = await deployRoutes('attacker', `  - { host: "${host}" }\n`);
      expect({ host, code: deployment.failure?.code }).toEqual({ host, code: 'HOST_TAKEN' });
    }
    expect((await deployRoutes('attacker', '  - { host: "*.org" }\n')).failure?.code).toBe('HOST_RESERVED');
    expect((await deployRoutes('attacker', '  - { host: "*.attacker.example.org" }\n')).state).toBe('succeeded');
    expect((await deployRoutes('victim', '  - { host: x.attacker.example.org }\n')).failure?.code).toBe('HOST_TAKEN');
    expect(await createApp(harness.deps, { name: 'other', project: 'alpha' })).toMatchObject({ name: 'other' });
  });

  it('refuses an app whose default host another project holds, creating nothing', async () => {
    await grantHost(harness.deps, { host: 'taken.localhost', project: 'alpha' });
    await expect(createApp(harness.deps, { name: 'taken', project: 'beta' })).rejects.toMatchObject({
      code: 'HOST_TAKEN',
    });
    expect(await harness.store.apps.findByName('taken')).toBeUndefined();
  });

  it('refuses a rollback and a config release to routes another project now holds, before any instance starts', async () => {
    expect((await deployRoutes('attacker', '  - { host: shared.example.com }\n')).state).toBe('succeeded');
    expect((await deployRoutes('attacker', '  - { host: own.example.com }\n')).state).toBe('succeeded');
    // The host left attacker's routes, so an admin can free it and give it to beta, which serves on it.
    await revokeHost(harness.deps, 'shared.example.com');
    await grantHost(harness.deps, { host: 'shared.example.com', project: 'beta' });
    expect((await deployRoutes('victim', '  - { host: shared.example.com }\n')).state).toBe('succeeded');
    const instancesBefore = (await harness.instancesOf('attacker')).length;

    const rollback = await requestRollback(harness.deps, { app: 'attacker', environment: 'production' });
    const rolledBack = await harness.runToEnd(rollback.id);
    expect({ state: rolledBack.state, phase: rolledBack.failure?.phase, code: rolledBack.failure?.code }).toEqual({
      state: 'failed',
      phase: 'rollout',
      code: 'HOST_TAKEN',
    });
    expect((await harness.instancesOf('attacker')).length).toBe(instancesBefore);

    // A config release of a release whose host was taken meanwhile (as a store from before host claims may hold).
    await harness.store.hostClaims.delete('own.example.com');
    await grantHost(harness.deps, { host: 'own.example.com', project: 'beta' });
    const { deploymentId } = await patchConfig(harness.deps, {
      app: 'attacker',
      environment: 'production',
      set: { A: '1' },
      unset: [],
      deploy: true,
    });
    const configured = await harness.runToEnd(deploymentId ?? '');
    expect({ state: configured.state, code: configured.failure?.code }).toEqual({
      state: 'failed',
      code: 'HOST_TAKEN',
    });
    const routes = (await harness.store.routes.list()).map((r) => [r.host, r.pathPrefix]);
    expect(routes.filter(([host]) => host === 'shared.example.com')).toEqual([['shared.example.com', '/']]);
  });

  it('decides in the finalize transaction: of two projects racing for one new host, exactly one gets it', async () => {
    const sources = await Promise.all(
      ['attacker', 'victim'].map(() =>
        harness.webSource({ manifestYaml: 'routes:\n  - { host: race.example.com }\n' }),
      ),
    );
    // Both requested (and built) before either finalizes: the early checks pass for both.
    const views = await Promise.all(
      ['attacker', 'victim'].map((app, index) =>
        requestDeployment(harness.deps, {
          app,
          environment: 'production',
          source: { kind: 'path', path: sources[index] ?? '' },
        }),
      ),
    );
    const results = await Promise.all(views.map((view) => harness.runToEnd(view.id)));
    expect(results.map((r) => r.state).sort()).toEqual(['failed', 'succeeded']);
    expect(results.find((r) => r.state === 'failed')?.failure?.code).toBe('HOST_TAKEN');
    const projects = (await hostsOf()).filter(([host]) => host === 'race.example.com').map(([, project]) => project);
    expect(projects).toHaveLength(1);
    const served = await harness.store.routes.list();
    expect(new Set(served.filter((r) => r.host === 'race.example.com').map((r) => r.appId)).size).toBe(1);
  });

  it('grants, refuses a grant over another project, frees only a host no route uses', async () => {
    expect(
      await grantHost(harness.deps, { host: '*.localhost', project: 'alpha' }).catch((e: unknown) => e),
    ).toMatchObject({ code: 'HOST_TAKEN' });
    await expect(revokeHost(harness.deps, 'nowhere.example.com')).rejects.toMatchObject({ code: 'HOST_NOT_FOUND' });
    expect((await deployRoutes('victim', '  - { host: api.example.net }\n')).state).toBe('succeeded');
    await expect(revokeHost(harness.deps, 'api.example.net')).rejects.toMatchObject({ code: 'HOST_IN_USE' });
    await expect(grantHost(harness.deps, { host: 'api.example.net', project: 'alpha' })).rejects.toMatchObject({
      code: 'HOST_TAKEN',
    });
    expect(await grantHost(harness.deps, { host: 'api.example.net', project: 'beta' })).toMatchObject({
      host: 'api.example.net',
      project: 'beta',
      origin: 'granted',
    });
    await expect(grantHost(harness.deps, { host: 'x.example.org', project: 'nope' })).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
  });
});
