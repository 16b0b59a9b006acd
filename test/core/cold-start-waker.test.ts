/**
 * The scale-to-zero waker over the core harness: a wake signal of a process type at zero starts `min` instances
 * through the scale path and records why; one refused by a rollout is tried again once the rollout ends; a process
 * type that runs, or does not scale to zero, is left alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { createColdStartWaker, getAppScope, getAutoscaleStatus, scaleApp, type ColdStartWaker } from '@slipway/core';
import { createCoreHarness, insertProgressingRollout, type CoreHarness } from './core-harness.js';

const scaleToZeroYaml = (min: number, scaleToZero: boolean) =>
  [
    '    autoscale:',
    `      min: ${min}`,
    '      max: 5',
    '      metrics:',
    '        - type: inFlight',
    '          target: 10',
    ...(scaleToZero ? ['      scaleToZero:', '        idleSeconds: 60'] : []),
  ].join('\n');

const wake = { app: 'hello', environment: 'production', process: 'web' };

describe('the scale-to-zero waker', () => {
  let harness: CoreHarness;
  let waker: ColdStartWaker;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    waker = createColdStartWaker(harness.deps, { pollWaitMs: 50, retryMs: 20, decisionsKept: 10 });
  });

  afterEach(async () => {
    await waker.stop();
    await harness.close();
  });

  const deployAtZero = async (min: number, scaleToZero = true) => {
    await harness.deploy('hello', await harness.webSource({ manifestYaml: scaleToZeroYaml(min, scaleToZero) }));
    await scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { web: 0 } });
  };
  const scale = async () => (await getAppScope(harness.store, 'hello', 'production')).appEnvironment.scale;
  const decisions = async () =>
    (await getAutoscaleStatus(harness.deps, { app: 'hello', environment: 'production', limit: 10 })).processes[0]
      ?.decisions ?? [];
  /** Waits until the waker has taken every signal given to it. */
  const untilTaken = () => waitFor(() => expect(harness.router.wakes).toHaveLength(0));

  it('starts min instances of a process type at zero, and records the wake', async () => {
    await deployAtZero(2);
    waker.start();

    harness.router.wakes.push(wake);

    await waitFor(async () => expect(await scale()).toEqual({ web: 2 }));
    expect(await decisions()).toMatchObject([
      {
        currentReplicas: 0,
        final: 2,
        limit: 'WokenByRequest',
        reasoning: 'a request is held at the edge while scaled to zero: 0 → 2',
      },
    ]);
    await waitFor(async () =>
      expect((await harness.instancesOf('hello')).filter((i) => i.state === 'healthy')).toHaveLength(2),
    );
  });

  it('leaves a process type that runs, or that does not scale to zero, alone', async () => {
    await deployAtZero(1, false);
    waker.start();

    harness.router.wakes.push(wake);
    await untilTaken();
    await waker.stop();

    expect(await scale()).toEqual({ web: 0 });
    expect(await decisions()).toEqual([]);
  });

  it('tries a wake a rollout refused again once the rollout has ended', async () => {
    await deployAtZero(1);
    await insertProgressingRollout(harness, 'hello');
    waker.start();

    harness.router.wakes.push(wake);
    await untilTaken();
    // The waker takes the next signal only once it has applied the previous ones: then the refusal has happened.
    harness.router.wakes.push({ ...wake, app: 'elsewhere' });
    await untilTaken();
    expect(await scale()).toEqual({ web: 0 });
    expect(await decisions()).toEqual([]);
    const stored = await harness.store.rollouts.findById('rol_test');
    if (stored === undefined) throw new Error('rollout not stored');
    await harness.store.rollouts.update({ ...stored, phase: 'healthy', finishedAtMs: Date.now() });

    await waitFor(async () => expect(await scale()).toEqual({ web: 1 }));
    expect((await decisions()).map((d) => d.limit)).toEqual(['WokenByRequest']);
  });
});
