import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceSpec } from '@slipway/core';
import {
  createFakeRuntimeDriver,
  createFakeRuntimeWorld,
  fakeRuntimePrograms,
  type FakeRuntimeDriver,
  type FakeRuntimeWorld,
} from './fake-runtime-driver.js';
import { collect, describeRuntimeDriver } from './runtime-driver-contract.js';
import { waitFor } from './wait-for.js';

const portRange = { from: 22_400, to: 22_499 };
// One world per state dir: a second driver on the same dir sees the first one's instances, as after a restart.
const worlds = new Map<string, FakeRuntimeWorld>();

describeRuntimeDriver('fake', {
  create: async ({ stateDir }) => {
    const world = worlds.get(stateDir) ?? createFakeRuntimeWorld();
    worlds.set(stateDir, world);
    return createFakeRuntimeDriver({ world, portRange });
  },
  programs: fakeRuntimePrograms,
  portRange,
});

describe('fake runtime driver controls', () => {
  let workDir = '';
  let driver: FakeRuntimeDriver;
  const specOf = (instanceId: string, command = 'node server.js'): InstanceSpec => ({
    instanceId,
    labels: { app: 'web' },
    command,
    workDir,
    env: { GREETING: 'hi' },
    stopGraceMs: 50,
  });

  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-fake-runtime-'));
    driver = createFakeRuntimeDriver({ portRange });
  });

  afterEach(async () => {
    for (const status of await driver.list()) await driver.remove(status.instanceId);
    await rm(workDir, { recursive: true, force: true });
  });

  it('keeps an instance with an unknown command running until it crashes with the given exit code', async () => {
    await driver.start(specOf('web-1'));
    expect((await driver.inspect('web-1'))?.state).toBe('running');

    driver.crash('web-1', 137);

    expect(await driver.inspect('web-1')).toMatchObject({ state: 'exited', exitCode: 137, exitSignal: null });
  });

  it('delivers scripted log lines to a follower', async () => {
    await driver.start(specOf('web-1'));
    const controller = new AbortController();
    const lines = driver.logs('web-1', { tailLines: 0, follow: true, signal: controller.signal });
    const iterator = lines[Symbol.asyncIterator]();

    const next = iterator.next();
    driver.writeLog('web-1', 'boom', 'stderr');

    expect(await next).toEqual({ done: false, value: { stream: 'stderr', line: 'boom' } });
    controller.abort();
    expect(await iterator.next()).toMatchObject({ done: true });
  });

  it('fails the next start with the scripted code, then starts again', async () => {
    driver.failNextStart('PORT_UNAVAILABLE');

    await expect(driver.start(specOf('web-1'))).rejects.toMatchObject({ code: 'PORT_UNAVAILABLE' });
    await expect(driver.start(specOf('web-1'))).resolves.toMatchObject({ state: 'running' });
  });

  it('kills an instance that ignores the stop signal once the grace period has passed', async () => {
    await driver.start(specOf('web-1'));
    driver.ignoreStopSignal('web-1');

    await driver.stop('web-1', { graceMs: 10 });

    expect(await driver.inspect('web-1')).toMatchObject({ state: 'exited', exitSignal: 'SIGKILL' });
  });

  it('answers exec through the scripted handler with the instance env', async () => {
    const started = await driver.start(specOf('web-1'));
    driver.setExecHandler(({ command, env }) => ({ exitCode: 2, output: `${command} ${env.GREETING} ${env.PORT}` }));

    const result = await driver.exec('web-1', 'curl -f localhost', { timeoutMs: 1_000 });

    expect(result).toEqual({ exitCode: 2, output: `curl -f localhost hi ${started.port}` });
  });

  it('records the specs it started, env included', async () => {
    await driver.start(specOf('web-1'));

    expect(driver.startedSpecs()).toEqual([specOf('web-1')]);
  });

  it('rejects a made-up work dir unless told that it exists', async () => {
    const lenient = createFakeRuntimeDriver({ portRange, isWorkDir: () => true });
    const spec = { ...specOf('web-2'), workDir: '/releases/does-not-exist' };

    await expect(driver.start(spec)).rejects.toMatchObject({ code: 'START_FAILED' });
    await expect(lenient.start(spec)).resolves.toMatchObject({ state: 'running' });
    await lenient.remove('web-2');
  });

  it('prints what the chatty program prints, for a tail read after it ran', async () => {
    await driver.start(specOf('web-1', fakeRuntimePrograms.chatty(3)));

    const lines = await waitFor(async () => {
      const read = await collect(driver.logs('web-1', { tailLines: 2, follow: false }));
      expect(read).toHaveLength(2);
      return read;
    });

    expect(lines.map((entry) => entry.line)).toEqual(['line 2', 'line 3']);
  });
});
