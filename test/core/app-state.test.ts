import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeSecrets, getConfig, patchConfig, scaleApp, getAppScope } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('app state', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  const scope = { app: 'hello', environment: 'production' };
  const activeDeployment = async () => {
    const { app, environment } = await getAppScope(harness.store, 'hello', 'production');
    return harness.store.deployments.findActive(app.id, environment.id);
  };

  describe('scale', () => {
    it('refuses with NO_RELEASE before the first deploy', async () => {
      await expect(scaleApp(harness.deps, { ...scope, processes: { web: 2 } })).rejects.toMatchObject({
        code: 'NO_RELEASE',
      });
    });

    it('refuses a process type the live release does not have with PROCESS_TYPE_UNKNOWN', async () => {
      await harness.deploy('hello', await harness.webSource());

      await expect(scaleApp(harness.deps, { ...scope, processes: { worker: 2 } })).rejects.toMatchObject({
        code: 'PROCESS_TYPE_UNKNOWN',
        details: { process: 'worker', known: ['web'] },
      });
      expect((await getAppScope(harness.store, 'hello', 'production')).appEnvironment.scale).toEqual({});
    });

    it('stores the replicas of a known process type', async () => {
      await harness.deploy('hello', await harness.webSource());

      expect(await scaleApp(harness.deps, { ...scope, processes: { web: 3 } })).toEqual({ web: 3 });
      expect((await getAppScope(harness.store, 'hello', 'production')).appEnvironment.scale).toEqual({ web: 3 });
    });
  });

  describe('config', () => {
    /** 40 values of 30 KiB: each is valid alone, together they pass the 1 MiB an environment may hold. */
    const bulky = (prefix: string, count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}_${i}`, 'v'.repeat(30 * 1024)]));

    it('refuses config and secrets that would add up past the environment limit with CONFIG_TOO_LARGE, changing nothing', async () => {
      await patchConfig(harness.deps, { ...scope, set: bulky('HALF', 20), unset: [], deploy: false });

      await expect(
        patchConfig(harness.deps, { ...scope, set: bulky('MORE', 20), unset: [], deploy: false }),
      ).rejects.toMatchObject({ code: 'CONFIG_TOO_LARGE', details: { maxEnvironmentBytes: 1024 * 1024 } });
      expect(Object.keys((await getConfig(harness.deps, scope)).config)).toHaveLength(20);

      await expect(
        changeSecrets(harness.deps, { ...scope, set: bulky('SECRET', 20), unset: [], deploy: false }),
      ).rejects.toMatchObject({ code: 'CONFIG_TOO_LARGE' });
      await changeSecrets(harness.deps, { ...scope, set: bulky('SECRET', 10), unset: [], deploy: false });
      await expect(
        patchConfig(harness.deps, { ...scope, set: bulky('MORE', 11), unset: [], deploy: false }),
      ).rejects.toMatchObject({ code: 'CONFIG_TOO_LARGE' });
      await patchConfig(harness.deps, { ...scope, set: {}, unset: Object.keys(bulky('HALF', 20)), deploy: false });
      await patchConfig(harness.deps, { ...scope, set: bulky('MORE', 11), unset: [], deploy: false });
    });

    it('with deploy, creates a pending config deployment from the current release', async () => {
      const first = await harness.deploy('hello', await harness.webSource());

      const result = await patchConfig(harness.deps, { ...scope, set: { GREETING: 'hi' }, unset: [], deploy: true });

      expect(result.config).toEqual({ GREETING: 'hi' });
      const deployment = await harness.store.deployments.findById(result.deploymentId ?? '');
      expect(deployment).toMatchObject({
        kind: 'config',
        state: 'pending',
        source: { kind: 'release', releaseId: first.releaseId },
        config: { GREETING: 'hi' },
        previousReleaseId: first.releaseId,
      });
      expect(await harness.store.jobs.findByDeployment(deployment?.id ?? '')).toMatchObject({ state: 'queued' });
    });

    it('without deploy, stores the config and creates no deployment', async () => {
      await harness.deploy('hello', await harness.webSource());

      const result = await patchConfig(harness.deps, { ...scope, set: { GREETING: 'hi' }, unset: [], deploy: false });

      expect(result).toMatchObject({ config: { GREETING: 'hi' }, pendingKeys: ['GREETING'], deploymentId: null });
      expect(await activeDeployment()).toBeUndefined();
      expect((await getConfig(harness.deps, scope)).config).toEqual({ GREETING: 'hi' });
    });

    it('with deploy but no release yet, stores the config and creates no deployment', async () => {
      const result = await patchConfig(harness.deps, { ...scope, set: { A: '1', B: '2' }, unset: [], deploy: true });

      expect(result.deploymentId).toBeNull();
      expect(await activeDeployment()).toBeUndefined();
      expect((await getConfig(harness.deps, scope)).config).toEqual({ A: '1', B: '2' });
    });

    it('changes nothing, and starts no release, for a change that leaves every value as it is', async () => {
      await harness.deploy('hello', await harness.webSource());
      const first = await patchConfig(harness.deps, { ...scope, set: { A: '1' }, unset: [], deploy: true });
      await harness.runToEnd(first.deploymentId ?? '');
      const before = (await getAppScope(harness.store, 'hello', 'production')).appEnvironment;

      const unset = await patchConfig(harness.deps, { ...scope, set: {}, unset: ['NOPE'], deploy: true });
      const same = await patchConfig(harness.deps, { ...scope, set: { A: '1' }, unset: [], deploy: true });

      expect(unset).toMatchObject({ isChanged: false, deploymentId: null, config: { A: '1' }, release: 2 });
      expect(same).toMatchObject({ isChanged: false, deploymentId: null });
      expect(await activeDeployment()).toBeUndefined();
      expect((await getAppScope(harness.store, 'hello', 'production')).appEnvironment.version).toBe(before.version);
    });

    it('unsets keys', async () => {
      await patchConfig(harness.deps, { ...scope, set: { A: '1', B: '2' }, unset: [], deploy: false });

      const result = await patchConfig(harness.deps, { ...scope, set: {}, unset: ['A'], deploy: false });

      expect(result.config).toEqual({ B: '2' });
    });
  });
});
