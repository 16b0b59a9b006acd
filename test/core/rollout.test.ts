import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const isLive = (i: InstanceRecord): boolean => !['draining', 'stopping', 'stopped'].includes(i.state);

describe('rollout', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  /** Runs `work` while reading the store and the runtime continuously; returns every sample taken. */
  const sampleWhile = async (work: Promise<unknown>) => {
    const samples: { healthy: number; live: number; running: number }[] = [];
    let isDone = false;
    const sampler = (async () => {
      while (!isDone) {
        const instances = await harness.instancesOf('hello');
        const running = (await harness.runtime.list()).filter((s) => s.state === 'running');
        samples.push({
          healthy: instances.filter((i) => i.state === 'healthy').length,
          live: instances.filter(isLive).length,
          running: running.length,
        });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    try {
      await work;
    } finally {
      isDone = true;
      await sampler;
    }
    return samples;
  };

  describe('rolling with maxSurge 1 and maxUnavailable 0', () => {
    const manifestYaml = ['strategy:', '  type: rolling', '  maxSurge: 1', '  maxUnavailable: 0'].join('\n');

    it('never has fewer than 3 healthy or more than 4 live instances while it replaces 3 replicas', async () => {
      const first = await harness.deploy('hello', await harness.webSource({ replicas: 3, manifestYaml }));
      expect(first.state).toBe('succeeded');
      const old = await harness.instancesOf('hello');
      expect(old.map((i) => i.state)).toEqual(['healthy', 'healthy', 'healthy']);

      const source = await harness.webSource({ replicas: 3, manifestYaml });
      let second: Awaited<ReturnType<CoreHarness['deploy']>> | undefined;
      const samples = await sampleWhile(harness.deploy('hello', source).then((d) => (second = d)));

      expect(second?.state).toBe('succeeded');
      // Enough samples to have seen every step of the rollout (each step waits 200 ms).
      expect(samples.length).toBeGreaterThan(20);
      expect(Math.min(...samples.map((s) => s.healthy))).toBeGreaterThanOrEqual(3);
      expect(Math.max(...samples.map((s) => s.live))).toBe(4);
      expect(Math.max(...samples.map((s) => s.running))).toBeLessThanOrEqual(4);
      const now = await harness.instancesOf('hello');
      expect(now.map((i) => [i.releaseId, i.state])).toEqual(Array(3).fill([second?.releaseId, 'healthy']));
      expect(now.some((i) => old.some((o) => o.id === i.id))).toBe(false);
    });

    it('alternates: starts one new instance, then retires one old instance, three times', async () => {
      await harness.deploy('hello', await harness.webSource({ replicas: 3, manifestYaml }));
      const old = new Set((await harness.instancesOf('hello')).map((i) => i.id));
      const firstStep = harness.steps.length;

      const second = await harness.deploy('hello', await harness.webSource({ replicas: 3, manifestYaml }));

      const steps = harness.steps.slice(firstStep);
      const order = steps.flatMap((s) => {
        if (s.kind === 'start' && s.releaseId === second.releaseId) return ['start'];
        if (s.kind === 'remove' && old.has(s.instanceId)) return ['retire'];
        return [];
      });
      expect(order).toEqual(['start', 'retire', 'start', 'retire', 'start', 'retire']);
    });
  });

  describe('recreate', () => {
    const manifestYaml = ['strategy:', '  type: recreate'].join('\n');

    it('stops every old instance before it starts a new one', async () => {
      await harness.deploy('hello', await harness.webSource({ replicas: 2, manifestYaml }));
      const old = new Set((await harness.instancesOf('hello')).map((i) => i.id));
      expect(old.size).toBe(2);
      const firstStep = harness.steps.length;

      const second = await harness.deploy('hello', await harness.webSource({ replicas: 2, manifestYaml }));

      expect(second.state).toBe('succeeded');
      const steps = harness.steps.slice(firstStep);
      const firstNewStart = steps.findIndex((s) => s.kind === 'start' && s.releaseId === second.releaseId);
      const oldRemovals = steps.flatMap((s, index) => (s.kind === 'remove' && old.has(s.instanceId) ? [index] : []));
      expect(firstNewStart).toBeGreaterThanOrEqual(0);
      expect(oldRemovals).toHaveLength(2);
      expect(Math.max(...oldRemovals)).toBeLessThan(firstNewStart);
      expect((await harness.instancesOf('hello')).map((i) => [i.releaseId, i.state])).toEqual([
        [second.releaseId, 'healthy'],
        [second.releaseId, 'healthy'],
      ]);
    });
  });
});
