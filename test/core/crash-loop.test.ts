import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeApp, listInstances, isCrashLooping, getApp } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('crash-loop report', () => {
  let harness: CoreHarness;
  let isReady = true;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    isReady = true;
    harness.runtime.setExecHandler(() => (isReady ? { exitCode: 0, output: 'ok' } : { exitCode: 1, output: 'no' }));
    expect((await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }))).state).toBe('succeeded');
  });

  afterEach(async () => {
    await harness.close();
  });

  const scope = { app: 'hello', environment: 'production' };
  const onlyInstance = async () => {
    const [instance, ...others] = await harness.instancesOf('hello');
    expect(others).toEqual([]);
    if (!instance) throw new Error('no instance');
    return instance;
  };

  it('reports an instance that keeps exiting outside a rollout as CrashLoop with its exit code and output, until it serves again', async () => {
    const { id } = await onlyInstance();
    isReady = false;
    for (let exits = 1; exits <= 3; exits += 1) {
      // Running again (healthy the first time, then starting: it no longer passes its check).
      await waitFor(async () => {
        const instance = await onlyInstance();
        expect(instance.restarts).toBe(exits - 1);
        expect(['healthy', 'starting']).toContain(instance.state);
      });
      harness.runtime.writeLog(id, `boom ${exits}`, 'stderr');
      harness.runtime.crash(id, 7);
      await waitFor(async () => {
        const instance = await onlyInstance();
        expect(instance.state === 'crashed' || instance.restarts >= exits).toBe(true);
      });
    }

    const [view] = await waitFor(async () => {
      const views = await listInstances(harness.deps, scope);
      expect(views[0]?.crashLoop).toMatchObject({ reason: 'CrashLoop', lastExitCode: 7 });
      return views;
    });
    expect(view?.crashLoop?.exits).toBeGreaterThanOrEqual(3);
    expect(view?.crashLoop?.logTail).toContain('boom 3');
    const app = await describeApp(harness.deps, await getApp(harness.store, 'hello'));
    expect(app.environments[0]?.instances).toMatchObject({ total: 1, healthy: 0, crashLooping: 1 });

    isReady = true;
    await waitFor(async () => expect(await onlyInstance()).toMatchObject({ state: 'healthy' }), { timeoutMs: 5_000 });
    expect((await listInstances(harness.deps, scope))[0]?.crashLoop).toBeNull();
  });

  it('counts exits: a crashed instance has exited once more than it was restarted', () => {
    const settings = { crashLoopRestarts: 3 };
    expect(isCrashLooping({ state: 'crashed', restarts: 1, healthyAtMs: null }, settings)).toBe(false);
    expect(isCrashLooping({ state: 'crashed', restarts: 2, healthyAtMs: 1 }, settings)).toBe(true);
    expect(isCrashLooping({ state: 'starting', restarts: 3, healthyAtMs: null }, settings)).toBe(true);
    expect(isCrashLooping({ state: 'healthy', restarts: 9, healthyAtMs: 1 }, settings)).toBe(false);
  });
});
