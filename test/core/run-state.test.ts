/**
 * Stopping, starting, restarting and maintenance over the core with the fake runtime: what the controller runs and
 * what the edge's table says, and following logs as instances come and go.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayError, type LogLineView } from '@slipway/contract';
import { followLogs, requestDeployment, restartApp, scaleApp, setMaintenance, startApp, stopApp } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('run state and maintenance', () => {
  let harness: CoreHarness;
  const scope = { app: 'shop', environment: 'production' };

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('shop');
    expect((await harness.deploy('shop', await harness.webSource())).state).toBe('succeeded');
  });

  afterEach(async () => {
    await harness.close();
  });

  const live = async () => (await harness.instancesOf('shop')).filter((i) => i.state !== 'stopping');
  const routeOf = () => harness.router.latest().routes.find((r) => r.app === 'shop');

  it('runs nothing of a stopped app, marks its routes in maintenance, and refuses its deploys until started', async () => {
    expect((await stopApp(harness.deps, harness.fleet, scope)).runState).toBe('stopped');
    // The edge has the page when the stop answers, not only after the controller's next pass.
    expect(routeOf()?.maintenance).toEqual({ retryAfterSeconds: 60, page: null });

    await waitFor(async () => expect(await harness.instancesOf('shop')).toEqual([]));
    const refused = await requestDeployment(harness.deps, {
      ...scope,
      source: { kind: 'path', path: await harness.webSource() },
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SlipwayError);
    expect((refused as SlipwayError).code).toBe('APP_STOPPED');
    expect((await stopApp(harness.deps, harness.fleet, scope)).isUnchanged).toBe(true);

    await startApp(harness.deps, harness.fleet, scope);
    await waitFor(async () => expect((await live()).map((i) => i.state)).toEqual(['healthy']));
    await waitFor(() => expect(routeOf()?.maintenance).toBeUndefined());
  });

  it('keeps the instances running in maintenance, and serves them again once off', async () => {
    const before = (await live()).map((i) => i.id);
    await setMaintenance(harness.deps, harness.fleet, {
      ...scope,
      maintenance: { retryAfterSeconds: 30, page: '<p>soon</p>' },
    });

    // The edge has the page when the call answers, not only after the controller's next pass.
    expect(routeOf()?.maintenance).toEqual({ retryAfterSeconds: 30, page: '<p>soon</p>' });
    expect((await live()).map((i) => i.id)).toEqual(before);

    await setMaintenance(harness.deps, harness.fleet, { ...scope, maintenance: null });
    expect(routeOf()?.maintenance).toBeUndefined();
  });

  it('replaces every instance on a restart, same release, no new one', async () => {
    const before = await live();
    const restart = await restartApp(harness.deps, scope);

    expect((await harness.runToEnd(restart.id)).state).toBe('succeeded');

    const after = await live();
    expect(after.map((i) => i.releaseId)).toEqual(before.map((i) => i.releaseId));
    expect(after.filter((i) => before.some((b) => b.id === i.id))).toEqual([]);
    expect((await harness.store.releases.list(after[0]?.appId ?? '', after[0]?.environmentId ?? '')).length).toBe(1);
  });

  it('follows the logs of instances that appear while following', async () => {
    const controller = new AbortController();
    const [first] = await live();
    harness.runtime.writeLog(first?.id ?? '', 'before');
    const lines = followLogs(harness.deps, { ...scope, tail: 1, signal: controller.signal })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toMatchObject({ instanceId: first?.id, line: 'before' });

    await scaleApp(harness.deps, { ...scope, processes: { web: 2 } });
    const second = await waitFor(async () => {
      const found = (await live()).find((i) => i.id !== first?.id && i.state === 'healthy');
      if (found === undefined) throw new Error('no second instance yet');
      return found;
    });
    harness.runtime.writeLog(second.id, 'from the new one');

    const seen = await waitFor(async (): Promise<LogLineView> => {
      const next: IteratorResult<LogLineView> = await lines.next();
      if (next.done === true) throw new Error('the follow ended');
      if (next.value.line !== 'from the new one') throw new Error(`got ${next.value.line}`);
      return next.value;
    });
    expect(seen).toMatchObject({ instanceId: second.id, process: 'web', time: expect.any(String) as unknown });
    controller.abort();
  });
});
