import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type SecretChange,
  openCurrentSecrets,
  openReleaseSecrets,
  rewrapDataKeys,
  streamLogs,
  requestRollback,
  getAppScope,
  changeSecrets,
  listSecrets,
  cancelDeployment,
  getConfig,
  patchConfig,
} from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('secrets', () => {
  let harness: CoreHarness;
  const scope = { app: 'hello', environment: 'production' };
  const token = 'tok-3f9a1c7e-never-in-plaintext';

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  const set = (values: Record<string, string>, deploy = true) =>
    changeSecrets(harness.deps, { ...scope, set: values, unset: [], deploy });
  const unset = (names: string[], deploy = true) =>
    changeSecrets(harness.deps, { ...scope, set: {}, unset: names, deploy });
  const ids = async () => {
    const { app, environment } = await getAppScope(harness.store, 'hello', 'production');
    return { appId: app.id, environmentId: environment.id };
  };
  /** The env of the newest instance start. */
  const lastStartEnv = () => harness.runtime.startedSpecs().at(-1)?.env ?? {};
  const runDeployment = async (deploymentId: string | null) => {
    expect(deploymentId).not.toBeNull();
    const deployment = await harness.runToEnd(deploymentId ?? '');
    expect(deployment.state, JSON.stringify(deployment.failure)).toBe('succeeded');
    return deployment;
  };

  it('lists names, versions and update times, never values', async () => {
    await set({ API_TOKEN: token, DB_PASSWORD: 'hunter2-long' });
    await set({ API_TOKEN: `${token}-2` });

    const secrets = await listSecrets(harness.deps, scope);

    expect(secrets.map((s) => [s.name, s.version])).toEqual([
      ['API_TOKEN', 2],
      ['DB_PASSWORD', 1],
    ]);
    expect(JSON.stringify(secrets)).not.toContain(token);
  });

  it('stores only ciphertext: no stored record holds the value', async () => {
    await set({ API_TOKEN: token });
    const { appId, environmentId } = await ids();

    const [record] = await harness.store.secrets.list(appId, environmentId);
    const dataKey = await harness.store.dataKeys.findCurrent(appId, environmentId);

    expect(record?.sealed?.ciphertext).toBeDefined();
    expect(JSON.stringify(record)).not.toContain(token);
    expect(JSON.stringify(record)).not.toContain(Buffer.from(token).toString('base64'));
    expect(dataKey?.masterKeyId).toBe(harness.keyring.current().id);
  });

  it('before the first deploy stores the secret without a deployment; the first deploy injects it', async () => {
    const result = await set({ API_TOKEN: token });
    expect(result.deploymentId).toBeNull();

    await harness.deploy('hello', await harness.webSource());

    expect(lastStartEnv()['API_TOKEN']).toBe(token);
  });

  it('rolls out a new release with the secret as env var, and a secret wins over a config key of its name', async () => {
    await harness.deploy('hello', await harness.webSource({ manifestYaml: 'env:\n  API_TOKEN: from-manifest' }));
    expect(lastStartEnv()['API_TOKEN']).toBe('from-manifest');

    const result = await set({ API_TOKEN: token });
    const deployment = await runDeployment(result.deploymentId);

    expect(deployment.kind).toBe('config');
    const release = await harness.store.releases.findById(deployment.releaseId ?? '');
    expect(release?.number).toBe(2);
    expect(JSON.stringify(release)).not.toContain(token);
    expect(lastStartEnv()['API_TOKEN']).toBe(token);
  });

  it('unsets a secret with a new release that no longer carries it', async () => {
    await harness.deploy('hello', await harness.webSource());
    await runDeployment((await set({ API_TOKEN: token, OTHER_SECRET: 'other-value' })).deploymentId);

    const result = await unset(['API_TOKEN']);
    await runDeployment(result.deploymentId);

    expect(result.secrets.map((s) => s.name)).toEqual(['OTHER_SECRET']);
    expect(lastStartEnv()['API_TOKEN']).toBeUndefined();
    expect(lastStartEnv()['OTHER_SECRET']).toBe('other-value');
  });

  it('gives a name set again after an unset a version it never had', async () => {
    await set({ API_TOKEN: token });
    await unset(['API_TOKEN']);
    await set({ API_TOKEN: `${token}-again` });

    expect((await listSecrets(harness.deps, scope)).map((s) => s.version)).toEqual([3]);
  });

  it('refuses to unset a secret that is not set with SECRET_NOT_FOUND, changing nothing', async () => {
    await set({ API_TOKEN: token });

    await expect(
      changeSecrets(harness.deps, { ...scope, set: { NEW_ONE: 'value-new' }, unset: ['MISSING'], deploy: true }),
    ).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND', details: { name: 'MISSING' } });
    expect((await listSecrets(harness.deps, scope)).map((s) => s.name)).toEqual(['API_TOKEN']);
  });

  it('changes nothing when the rollout it asks for is refused with DEPLOYMENT_IN_PROGRESS', async () => {
    await harness.deploy('hello', await harness.webSource());
    await set({ API_TOKEN: token });

    await expect(set({ API_TOKEN: `${token}-2` })).rejects.toMatchObject({ code: 'DEPLOYMENT_IN_PROGRESS' });
    expect((await listSecrets(harness.deps, scope)).map((s) => s.version)).toEqual([1]);
  });

  it("rolls back to the secrets of the release it rolls back to, and makes them the app environment's again", async () => {
    await harness.deploy('hello', await harness.webSource());
    await runDeployment((await set({ API_TOKEN: 'value-one' })).deploymentId);
    await runDeployment((await set({ API_TOKEN: 'value-two' })).deploymentId);
    expect(lastStartEnv()['API_TOKEN']).toBe('value-two');

    const rollback = await requestRollback(harness.deps, { ...scope });
    await runDeployment(rollback.id);

    expect(lastStartEnv()['API_TOKEN']).toBe('value-one');
    // Sealed again as a new version: a version never comes back with another value.
    expect((await listSecrets(harness.deps, scope)).map((s) => s.version)).toEqual([3]);
    const { app, environment } = await getAppScope(harness.store, 'hello', 'production');
    expect(await openCurrentSecrets(harness.deps, { appId: app.id, environmentId: environment.id })).toEqual({
      API_TOKEN: 'value-one',
    });
  });

  it('takes back the config and secrets of a change cancelled before it rolled out', async () => {
    await harness.deploy('hello', await harness.webSource());
    await runDeployment((await set({ API_TOKEN: 'value-one' })).deploymentId);
    await runDeployment(
      (await patchConfig(harness.deps, { ...scope, set: { A: '1' }, unset: [], deploy: true })).deploymentId,
    );
    await set({ API_TOKEN: 'value-two', OTHER: 'x' }, false);
    await patchConfig(harness.deps, { ...scope, set: { A: '2' }, unset: [], deploy: false });
    const change = await unset(['API_TOKEN']);

    const cancelled = await cancelDeployment(harness.deps, { id: change.deploymentId ?? '', by: 'admin' });

    expect(cancelled.state).toBe('cancelled');
    expect(await openCurrentSecrets(harness.deps, await ids())).toEqual({ API_TOKEN: 'value-one' });
    expect((await getConfig(harness.deps, scope)).config).toEqual({ A: '1' });
  });

  it('writes nothing and starts no release for a value set again as it is', async () => {
    await harness.deploy('hello', await harness.webSource());
    await runDeployment((await set({ API_TOKEN: 'value-one' })).deploymentId);

    const again = await set({ API_TOKEN: 'value-one' });
    const mixed = await set({ API_TOKEN: 'value-one', OTHER: 'x' }, false);

    expect(again).toMatchObject({ isChanged: false, deploymentId: null });
    expect(mixed.isChanged).toBe(true);
    expect(mixed.secrets.map((s) => [s.name, s.version])).toEqual([
      ['API_TOKEN', 1],
      ['OTHER', 1],
    ]);
  });

  it('reports each change without its value to onSecretChange', async () => {
    const changes: SecretChange[] = [];
    const deps = { ...harness.deps, onSecretChange: (change: SecretChange) => changes.push(change) };
    await changeSecrets(deps, { ...scope, set: { API_TOKEN: token }, unset: [], deploy: true });
    await changeSecrets(deps, { ...scope, set: {}, unset: ['API_TOKEN'], deploy: true });

    expect(changes.map((c) => [c.action, c.name, c.version, c.deploymentId])).toEqual([
      ['set', 'API_TOKEN', 1, null],
      ['unset', 'API_TOKEN', 2, null],
    ]);
    expect(JSON.stringify(changes)).not.toContain(token);
  });

  it('masks secret values in build output, phase details and the failure reason', async () => {
    await set({ API_TOKEN: token });
    const source = await harness.webSource({
      manifestYaml: 'build:\n  command: echo "token is $API_TOKEN"; echo "again $API_TOKEN" >&2; exit 3',
    });

    const deployment = await harness.deploy('hello', source);

    expect(deployment.state).toBe('failed');
    expect(deployment.failure?.reason).toContain('again ***');
    const events = await harness.store.events.list(deployment.id, 0, 1000);
    const phases = await harness.store.phases.list(deployment.id);
    const stored = JSON.stringify({ events, phases, deployment });
    expect(stored).toContain('token is ***');
    expect(stored).not.toContain(token);
  });

  it('masks the values an app prints in its logs as the API shows them (a viewer may read logs)', async () => {
    await set({ API_TOKEN: token });
    await harness.deploy('hello', await harness.webSource());
    const [instance] = await harness.instancesOf('hello');
    harness.runtime.writeLog(instance?.id ?? '', `connecting with ${token}`);

    const lines = [];
    for await (const line of streamLogs(harness.deps, { ...scope, tail: 100, follow: false })) lines.push(line.line);

    expect(lines).toContain('connecting with ***');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('keeps every secret readable across a master-key rotation, after which the old key opens nothing', async () => {
    await harness.deploy('hello', await harness.webSource());
    await runDeployment((await set({ API_TOKEN: token })).deploymentId);
    const oldKeyId = harness.keyring.current().id;

    await harness.keyring.beginRotation();
    expect(await rewrapDataKeys(harness.deps)).toBe(1);
    await harness.keyring.completeRotation();

    const { appId, environmentId } = await ids();
    const dataKey = await harness.store.dataKeys.findCurrent(appId, environmentId);
    expect(dataKey?.masterKeyId).toBe(harness.keyring.current().id);
    expect(harness.keyring.find(oldKeyId)).toBeUndefined();
    const release = await harness.store.releases.findByNumber(appId, environmentId, 2);
    expect(await openReleaseSecrets(harness.deps, release ?? never())).toEqual({ API_TOKEN: token });
    // A restart of the running instance opens the secret under the new key.
    const [instance] = await harness.instancesOf('hello');
    harness.runtime.crash(instance?.id ?? '', 1);
    await waitFor(async () => {
      const [restarted] = await harness.instancesOf('hello');
      expect(restarted?.restarts).toBe(1);
      expect(restarted?.state).toBe('healthy');
    });
    expect(lastStartEnv()['API_TOKEN']).toBe(token);
  });
});

function never(): never {
  throw new Error('expected a value');
}
